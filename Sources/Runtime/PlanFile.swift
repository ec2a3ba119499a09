import Foundation

/// The `.plan` file format: a self-contained compiled model.
///
/// ```
/// offset  size  field
///      0     8  magic "RESNETCP"
///      8     4  format version, u32 LE
///     12     8  checksum, u64 LE: PlanChecksum of every byte from offset 20 to W + 4·C
///     20     8  metadata length M, u64 LE
///     28     8  weights offset W (64-byte aligned, = align64(44 + M)), u64 LE
///     36     8  weights count C (floats), u64 LE
///     44     M  metadata: the plan minus weights, as JSON (sorted keys)
///   44+M   pad  zeros up to W
///      W   4·C  weights, raw little-endian float32
/// ```
///
/// `decode` checks, in order: magic, version, length, checksum, metadata,
/// then validates the plan (`Plan.validate`), so a plan that decodes runs.
public enum PlanFile {
    /// The newest format this build writes and reads.
    public static let formatVersion: UInt32 = 1

    static let magic = Array("RESNETCP".utf8)
    static let checksumOffset = 12
    static let headerBytes = 44
    static let weightsAlignment = 64

    /// The file's bytes for `plan`.
    public static func encode(_ plan: Plan) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metadata = [UInt8](try encoder.encode(PlanMetadata(plan)))
        let weightsOffset = align(headerBytes + metadata.count)
        let weightsBytes = plan.weights.count * MemoryLayout<Float>.stride
        var bytes = [UInt8](repeating: 0, count: weightsOffset + weightsBytes)
        bytes.replaceSubrange(0..<8, with: magic)
        store(UInt64(formatVersion), at: 8, size: 4, in: &bytes)
        store(UInt64(metadata.count), at: 20, size: 8, in: &bytes)
        store(UInt64(weightsOffset), at: 28, size: 8, in: &bytes)
        store(UInt64(plan.weights.count), at: 36, size: 8, in: &bytes)
        bytes.replaceSubrange(headerBytes..<(headerBytes + metadata.count), with: metadata)
        bytes.withUnsafeMutableBytes { raw in
            // Floats are stored as the host's little-endian bit patterns.
            (raw.baseAddress! + weightsOffset).copyMemory(from: plan.weights.base, byteCount: weightsBytes)
            let sum = PlanChecksum.hash(UnsafeRawBufferPointer(rebasing: raw[(checksumOffset + 8)...]))
            raw.storeBytes(of: sum.littleEndian, toByteOffset: checksumOffset, as: UInt64.self)
        }
        return bytes
    }

    /// `bytes` with its checksum recomputed over the bytes as they are, so a
    /// mutated plan reaches the metadata decoder and the validator (the fuzz
    /// target and the corpus replay use it; a damaged file is never repaired).
    static func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let sealed = checksumOffset + 8
        guard bytes.count >= sealed else { return bytes }
        bytes.withUnsafeMutableBytes { raw in
            let sum = PlanChecksum.hash(UnsafeRawBufferPointer(rebasing: raw[sealed...]))
            raw.storeBytes(of: sum.littleEndian, toByteOffset: checksumOffset, as: UInt64.self)
        }
        return bytes
    }

    /// The plan in `bytes`; `source` names the file in error messages.
    public static func decode(_ bytes: [UInt8], source: String) throws -> Plan {
        let plan = try bytes.withUnsafeBytes { raw in try decode(raw, source: source) }
        try plan.validate(source: source)
        return plan
    }

    /// Writes `plan` to `path`, replacing any file there.
    public static func write(_ plan: Plan, to path: String) throws {
        let bytes = try encode(plan)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw PlanError.io(file: path, detail: "cannot write the plan (\(error.localizedDescription))")
        }
    }

    /// Reads, checks and validates the plan at `path`. The file is mapped
    /// read-only and its weights section becomes the plan's `WeightStorage`
    /// in place: loading copies no weights.
    public static func read(contentsOf path: String) throws -> Plan {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw PlanError.io(file: path, detail: "cannot read the file (\(String(cString: strerror(errno))))")
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            throw PlanError.io(file: path, detail: "not a regular file")
        }
        let size = Int(status.st_size)
        if size == 0 { return try decode([], source: path) }
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
            throw PlanError.io(file: path, detail: "cannot map the file (\(String(cString: strerror(errno))))")
        }
        let mapping = UnsafeMutableRawBufferPointer(start: address, count: size)
        do {
            let plan = try decode(UnsafeRawBufferPointer(mapping), source: path, mapping: mapping)
            try plan.validate(source: path)
            return plan
        } catch {
            munmap(address, size)
            throw error
        }
    }

    /// Decodes `raw`; with `mapping` (the file mapping `raw` views), the
    /// weights are used in place and the mapping handed to the storage.
    private static func decode(_ raw: UnsafeRawBufferPointer, source: String,
                               mapping: UnsafeMutableRawBufferPointer? = nil) throws -> Plan {
        let prefix = min(raw.count, magic.count)
        guard raw.prefix(prefix).elementsEqual(magic.prefix(prefix)) else { throw PlanError.notAPlan(file: source) }
        guard raw.count >= headerBytes else {
            throw PlanError.truncated(file: source, expectedBytes: headerBytes, actualBytes: raw.count)
        }
        let version = UInt32(load(raw, at: 8, size: 4))
        if version > formatVersion {
            throw PlanError.newerFormat(file: source, version: version, supported: formatVersion)
        }
        if version == 0 { throw PlanError.unknownFormat(file: source, version: version) }

        let metadataLength = load(raw, at: 20, size: 8)
        let weightsOffset = load(raw, at: 28, size: 8)
        let weightsCount = load(raw, at: 36, size: 8)
        // Lengths near 2^64 (a corrupted header) saturate, so they read as truncation.
        let (weightsBytes, o1) = weightsCount.multipliedReportingOverflow(by: 4)
        let (total, o2) = weightsOffset.addingReportingOverflow(weightsBytes)
        let expected = o1 || o2 || total > UInt64(Int.max) ? Int.max : Int(total)
        guard raw.count >= expected else {
            throw PlanError.truncated(file: source, expectedBytes: expected, actualBytes: raw.count)
        }
        let stored = load(raw, at: checksumOffset, size: 8)
        let computed = PlanChecksum.hash(UnsafeRawBufferPointer(rebasing: raw[(checksumOffset + 8)..<expected]))
        guard stored == computed else {
            throw PlanError.checksumMismatch(file: source, stored: stored, computed: computed)
        }
        guard raw.count == expected else {
            throw PlanError.weightsSizeMismatch(file: source, expectedBytes: Int(weightsBytes),
                                                actualBytes: raw.count - Int(weightsOffset))
        }
        let metadataEnd = UInt64(headerBytes) + min(metadataLength, UInt64(raw.count))
        guard metadataEnd <= weightsOffset, weightsOffset == UInt64(align(Int(metadataEnd))) else {
            throw PlanError.badMetadata(file: source, detail: "metadata length \(metadataLength) "
                                        + "does not end before the weights at offset \(weightsOffset)")
        }
        let metadata: PlanMetadata
        do {
            let json = Data(UnsafeRawBufferPointer(rebasing: raw[headerBytes..<Int(metadataEnd)]))
            metadata = try JSONDecoder().decode(PlanMetadata.self, from: json)
        } catch {
            throw PlanError.badMetadata(file: source, detail: describe(error))
        }
        let weights: WeightStorage
        if let mapping {
            weights = WeightStorage(mapping: mapping, offset: Int(weightsOffset), count: Int(weightsCount))
        } else {
            weights = WeightStorage(count: Int(weightsCount))
            UnsafeMutableRawPointer(weights.base)
                .copyMemory(from: raw.baseAddress! + Int(weightsOffset), byteCount: Int(weightsBytes))
        }
        return metadata.plan(weights: weights)
    }

    private static func align(_ offset: Int) -> Int {
        (offset + weightsAlignment - 1) / weightsAlignment * weightsAlignment
    }

    private static func store(_ value: UInt64, at offset: Int, size: Int, in bytes: inout [UInt8]) {
        for i in 0..<size { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    private static func load(_ raw: UnsafeRawBufferPointer, at offset: Int, size: Int) -> UInt64 {
        (0..<size).reduce(0) { $0 | UInt64(raw[offset + $1]) << (8 * UInt64($1)) }
    }

    /// A one-line reason from a `DecodingError`.
    private static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case let .dataCorrupted(context), let .keyNotFound(_, context), let .typeMismatch(_, context),
             let .valueNotFound(_, context):
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "at \(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
