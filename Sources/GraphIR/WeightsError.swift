/// A weights (safetensors) file that cannot be read: one sentence per case,
/// naming the file and, where there is one, the tensor's key.
public enum WeightsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file is shorter than the 8-byte header length that starts every safetensors file.
    case tooShort(file: String, size: Int)
    /// The header length exceeds `SafeTensors.maxHeaderBytes`; refused before allocating.
    case headerTooLarge(file: String, length: UInt64)
    /// The header length points past the end of the file.
    case headerBeyondFile(file: String, length: UInt64, available: Int)
    /// The header is not UTF-8 JSON, or not a JSON object.
    case invalidHeader(file: String, reason: String)
    /// A tensor's entry in the header has the wrong structure (`reason` says which field and how).
    case malformedEntry(file: String, key: String, reason: String)
    /// A tensor's dtype is not F32, F16 or BF16.
    case unsupportedDType(file: String, key: String, dtype: String)
    /// A tensor's shape has more elements than fit in memory.
    case shapeOverflow(file: String, key: String, shape: [Int])
    /// A tensor's `data_offsets` end before they begin.
    case reversedOffsets(file: String, key: String, begin: Int, end: Int)
    /// A tensor's `data_offsets` point past the end of the data section.
    case offsetsBeyondData(file: String, key: String, begin: Int, end: Int, dataBytes: Int)
    /// A tensor's byte range does not hold exactly `numel · itemsize` bytes.
    case sizeMismatch(file: String, key: String, dtype: String, shape: [Int], expectedBytes: Int, begin: Int, end: Int)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the weights file: \(reason)"
        case .tooShort(let file, let size):
            "\(file): file is \(size) bytes, too short for the 8-byte safetensors header length"
        case .headerTooLarge(let file, let length):
            "\(file): header length \(length) exceeds the limit of \(SafeTensors.maxHeaderBytes) bytes (not a safetensors file?)"
        case .headerBeyondFile(let file, let length, let available):
            "\(file): header length \(length) extends beyond the end of the file (\(available) bytes after the length)"
        case .invalidHeader(let file, let reason):
            "\(file): invalid safetensors header: \(reason)"
        case .malformedEntry(let file, let key, let reason):
            "\(file): tensor '\(key)': \(reason)"
        case .unsupportedDType(let file, let key, let dtype):
            "\(file): tensor '\(key)': unsupported dtype '\(dtype)' (expected F32, F16 or BF16)"
        case .shapeOverflow(let file, let key, let shape):
            "\(file): tensor '\(key)': shape \(shape.bracketed) has too many elements"
        case .reversedOffsets(let file, let key, let begin, let end):
            "\(file): tensor '\(key)': data_offsets [\(begin), \(end)] end before they begin"
        case .offsetsBeyondData(let file, let key, let begin, let end, let dataBytes):
            "\(file): tensor '\(key)': data_offsets [\(begin), \(end)] extend beyond the data section (\(dataBytes) bytes)"
        case .sizeMismatch(let file, let key, let dtype, let shape, let expectedBytes, let begin, let end):
            "\(file): tensor '\(key)': shape \(shape.bracketed) of \(dtype) needs \(expectedBytes) bytes, data_offsets [\(begin), \(end)] hold \(end - begin)"
        }
    }
}
