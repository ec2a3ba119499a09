/// Why a plan could not be read, written, validated or run. Every message is
/// one sentence that starts with the file (or model) it is about.
public enum PlanError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file does not start with the plan magic (e.g. a `.def` renamed to `.plan`).
    case notAPlan(file: String)
    /// The file was written by a newer resnetc with a format this build cannot read.
    case newerFormat(file: String, version: UInt32, supported: UInt32)
    /// The file claims a format version no resnetc ever wrote (0).
    case unknownFormat(file: String, version: UInt32)
    /// The file ends before the length its header announces.
    case truncated(file: String, expectedBytes: Int, actualBytes: Int)
    /// The stored checksum does not match the contents: the file is corrupted.
    case checksumMismatch(file: String, stored: UInt64, computed: UInt64)
    /// The metadata section is not a decodable schedule.
    case badMetadata(file: String, detail: String)
    /// The weights section's size disagrees with the header.
    case weightsSizeMismatch(file: String, expectedBytes: Int, actualBytes: Int)
    /// The plan's schedule is inconsistent (found by `Plan.validate`).
    case invalid(file: String, message: String)
    /// The file could not be read or written.
    case io(file: String, detail: String)
    /// `Executor.run` got an input with the wrong number of values.
    case inputCount(model: String, expected: Int, actual: Int, shape: [Int])
    /// `Executor.run` could not allocate the arena (and output space) a run needs.
    case outOfMemory(model: String, bytes: Int)

    public var description: String {
        switch self {
        case let .notAPlan(file):
            return "\(file): not a resnetc plan (bad magic); is it a .def? compile it with 'resnetc compile'"
        case let .newerFormat(file, version, supported):
            return "\(file): written by a newer resnetc (format \(version); this build reads up to \(supported))"
        case let .unknownFormat(file, version):
            return "\(file): unknown plan format version \(version); the file is corrupted"
        case let .truncated(file, expected, actual):
            return "\(file): truncated plan (\(actual) bytes, the header says \(expected))"
        case let .checksumMismatch(file, stored, computed):
            return "\(file): corrupted plan (checksum \(hex(computed)) does not match the stored \(hex(stored)))"
        case let .badMetadata(file, detail):
            return "\(file): corrupted plan metadata (\(detail))"
        case let .weightsSizeMismatch(file, expected, actual):
            return "\(file): weights section is \(actual) bytes, the header says \(expected)"
        case let .invalid(file, message):
            return "\(file): \(message)"
        case let .io(file, detail):
            return "\(file): \(detail)"
        case let .inputCount(model, expected, actual, shape):
            return "\(model): input has \(actual) values, the plan expects \(expected) (shape \(shape))"
        case let .outOfMemory(model, bytes):
            return "\(model): cannot allocate the \(bytes)-byte arena a run needs"
        }
    }
}

private func hex(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 16 - digits.count) + digits
}
