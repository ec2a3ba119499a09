/// A tensor (`.npy`) file that cannot be read or written: one sentence per
/// case, naming the file.
public enum TensorFileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file could not be written.
    case unwritable(file: String, reason: String)
    /// The file does not start with `\x93NUMPY`.
    case badMagic(file: String)
    /// The format version is not 1.0, 2.0 or 3.0.
    case unsupportedVersion(file: String, major: UInt8, minor: UInt8)
    /// The file ends inside its preamble or header.
    case truncatedHeader(file: String)
    /// The header is not the Python dict NumPy writes.
    case malformedHeader(file: String, reason: String)
    /// The dtype is not little-endian float32 or float64.
    case unsupportedDType(file: String, descr: String)
    /// The array is stored in Fortran (column-major) order.
    case fortranOrder(file: String)
    /// The shape has more elements than `NPY.maxElements`; refused before allocating.
    case tooManyElements(file: String, shape: [Int])
    /// The data section does not hold exactly `product(shape) · itemsize` bytes.
    case dataSizeMismatch(file: String, shape: [Int], descr: String, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the tensor file: \(reason)"
        case .unwritable(let file, let reason):
            "\(file): cannot write the tensor file: \(reason)"
        case .badMagic(let file):
            "\(file): not a NumPy .npy file (missing the \\x93NUMPY magic)"
        case .unsupportedVersion(let file, let major, let minor):
            "\(file): unsupported .npy format version \(major).\(minor) (expected 1.0, 2.0 or 3.0)"
        case .truncatedHeader(let file):
            "\(file): file ends inside the .npy header"
        case .malformedHeader(let file, let reason):
            "\(file): malformed .npy header: \(reason)"
        case .unsupportedDType(let file, let descr):
            "\(file): unsupported dtype '\(descr)' (expected little-endian float32 '<f4' or float64 '<f8')"
        case .fortranOrder(let file):
            "\(file): Fortran-ordered arrays are not supported (save with C order)"
        case .tooManyElements(let file, let shape):
            "\(file): shape \(shape.bracketed) has more than \(NPY.maxElements) elements (set RESNETC_MAX_ELEMENTS to change the limit)"
        case .dataSizeMismatch(let file, let shape, let descr, let expected, let found):
            "\(file): shape \(shape.bracketed) of '\(descr)' needs \(expected) data bytes, found \(found)"
        }
    }
}
