import Foundation

/// Reads and writes the safetensors format of the `safetensors` library.
///
/// Layout: an 8-byte little-endian header length `N`; `N` bytes of UTF-8
/// JSON mapping each key to `{"dtype": "F32", "shape": [64, 3, 7, 7],
/// "data_offsets": [begin, end]}` (plus an optional `"__metadata__"` object
/// of strings); then the data section, which the offsets index from its
/// first byte.
///
/// F32, F16 and BF16 tensors are read and converted to float32. Keys ending
/// in `num_batches_tracked` (BatchNorm's int64 counter in a PyTorch
/// `state_dict`) are dropped whatever their dtype, without checking their
/// entry. Every other entry is validated; overlapping tensors are allowed.
public enum SafeTensors {
    /// The largest header accepted, checked before the header is read: the
    /// `safetensors` library itself caps headers at 100 MB.
    public static var maxHeaderBytes: Int { ResourceLimits.maxHeaderBytes }

    /// Element types this reader converts to float32.
    enum DType: String {
        case f32 = "F32", f16 = "F16", bf16 = "BF16"

        var size: Int {
            switch self {
            case .f32: 4
            case .f16, .bf16: 2
            }
        }
    }

    /// Reads every tensor of the file at `path`, keyed by name.
    public static func read(contentsOf path: String) throws -> [String: Tensor] {
        switch FileBytes.read(path) {
        case .success(let bytes): try decode(bytes, source: path)
        case .failure(let failure): throw WeightsError.unreadable(file: path, reason: failure.reason)
        }
    }

    /// Decodes a safetensors image; `source` names it in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> [String: Tensor] {
        guard bytes.count >= 8 else { throw WeightsError.tooShort(file: source, size: bytes.count) }
        let headerLength = FileBytes.littleEndian(bytes, at: 0, as: UInt64.self)
        guard headerLength <= UInt64(maxHeaderBytes) else {
            throw WeightsError.headerTooLarge(file: source, length: headerLength)
        }
        guard headerLength <= UInt64(bytes.count - 8) else {
            throw WeightsError.headerBeyondFile(file: source, length: headerLength, available: bytes.count - 8)
        }
        let dataStart = 8 + Int(headerLength)
        let header = try parseHeader(bytes[8..<dataStart], source: source)
        let dataBytes = bytes.count - dataStart

        var tensors: [String: Tensor] = [:]
        for key in header.keys.sorted() where key != "__metadata__" && !key.hasSuffix("num_batches_tracked") {
            let entry = try Entry(header[key] as Any, key: key, source: source)
            guard entry.end <= dataBytes else {
                throw WeightsError.offsetsBeyondData(file: source, key: key, begin: entry.begin, end: entry.end, dataBytes: dataBytes)
            }
            tensors[key] = Tensor(shape: entry.shape, data: convert(bytes, from: dataStart + entry.begin, count: entry.count, dtype: entry.dtype))
        }
        return tensors
    }

    /// Encodes float32 tensors (keys sorted, data packed in that order).
    public static func encode(_ tensors: [String: Tensor]) -> [UInt8] {
        var entries: [String] = []
        var data: [UInt8] = []
        for key in tensors.keys.sorted() {
            let tensor = tensors[key] ?? Tensor(zeros: [])
            let begin = data.count
            for value in tensor.data { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append("\(jsonString(key)):{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(data.count)]}")
        }
        var header = Array(("{" + entries.joined(separator: ",") + "}").utf8)
        // Pad with spaces to 8-byte alignment, as the library does.
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (8 - header.count % 8) % 8))
        var out: [UInt8] = []
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        return out + header + data
    }

    private static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    private static func parseHeader(_ bytes: ArraySlice<UInt8>, source: String) throws -> [String: Any] {
        guard String(validating: bytes, as: UTF8.self) != nil else {
            throw WeightsError.invalidHeader(file: source, reason: "not UTF-8 text")
        }
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(bytes))
        } catch {
            throw WeightsError.invalidHeader(file: source, reason: "not valid JSON")
        }
        guard let header = object as? [String: Any] else {
            throw WeightsError.invalidHeader(file: source, reason: "expected a JSON object of tensors")
        }
        if let metadata = header["__metadata__"], !(metadata is [String: Any]) {
            throw WeightsError.invalidHeader(file: source, reason: "'__metadata__' is not an object")
        }
        return header
    }

    /// One tensor's validated header entry.
    private struct Entry {
        var dtype: DType
        var shape: [Int]
        var count: Int
        var begin: Int
        var end: Int

        init(_ value: Any, key: String, source: String) throws {
            func malformed(_ reason: String) -> WeightsError { .malformedEntry(file: source, key: key, reason: reason) }
            guard let fields = value as? [String: Any] else {
                throw malformed("expected an object with 'dtype', 'shape' and 'data_offsets'")
            }
            guard let name = fields["dtype"] as? String else { throw malformed("'dtype' is missing or not a string") }
            guard let dtype = DType(rawValue: name) else {
                throw WeightsError.unsupportedDType(file: source, key: key, dtype: name)
            }
            guard let shape = Self.integers(fields["shape"]), shape.allSatisfy({ $0 >= 0 }) else {
                throw malformed("'shape' is missing or not a list of non-negative integers")
            }
            var count = 1
            var bytes = dtype.size
            for dim in shape {
                let (c, o1) = count.multipliedReportingOverflow(by: dim)
                let (b, o2) = bytes.multipliedReportingOverflow(by: dim)
                guard !o1, !o2 else { throw WeightsError.shapeOverflow(file: source, key: key, shape: shape) }
                count = c; bytes = b
            }
            guard let offsets = Self.integers(fields["data_offsets"]), offsets.count == 2, offsets[0] >= 0 else {
                throw malformed("'data_offsets' is missing or not [begin, end] with non-negative integers")
            }
            let (begin, end) = (offsets[0], offsets[1])
            guard end >= begin else { throw WeightsError.reversedOffsets(file: source, key: key, begin: begin, end: end) }
            guard end - begin == bytes else {
                throw WeightsError.sizeMismatch(file: source, key: key, dtype: name, shape: shape, expectedBytes: bytes, begin: begin, end: end)
            }
            self.dtype = dtype; self.shape = shape; self.count = count; self.begin = begin; self.end = end
        }

        /// A JSON array of integers (not booleans, not floats), or nil.
        private static func integers(_ value: Any?) -> [Int]? {
            guard let array = value as? [Any] else { return nil }
            var result: [Int] = []
            for element in array {
                guard let number = element as? NSNumber else { return nil }
                let type = String(cString: number.objCType)
                // "c" is a JSON boolean, "d"/"f" a number written with a fraction or exponent.
                guard !["c", "d", "f"].contains(type), let value = number as? Int else { return nil }
                result.append(value)
            }
            return result
        }
    }

    /// `count` elements of `dtype` at `offset`, converted to float32.
    private static func convert(_ bytes: [UInt8], from offset: Int, count: Int, dtype: DType) -> [Float] {
        bytes.withUnsafeBytes { raw in
            switch dtype {
            case .f32:
                (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 4 * $0, as: UInt32.self))) }
            case .f16:
                (0..<count).map { Float(Float16(bitPattern: UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 2 * $0, as: UInt16.self)))) }
            case .bf16:
                (0..<count).map { Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset + 2 * $0, as: UInt16.self))) << 16) }
            }
        }
    }
}
