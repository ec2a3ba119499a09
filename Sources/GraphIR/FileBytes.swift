import Foundation

/// Whole-file reads and little-endian loads shared by the weight, tensor and
/// image readers.
enum FileBytes {
    /// The file's bytes, or a short reason why they cannot be read.
    static func read(_ path: String) -> Result<[UInt8], ReadFailure> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return .failure(ReadFailure(reason: "no such file"))
        }
        guard !isDirectory.boolValue else { return .failure(ReadFailure(reason: "is a directory")) }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .failure(ReadFailure(reason: "permission denied or unreadable"))
        }
        return .success([UInt8](data))
    }

    /// Why a file could not be read.
    struct ReadFailure: Error { var reason: String }

    /// The little-endian integer stored at `bytes[offset ..< offset + size]`;
    /// the caller has checked the range.
    static func littleEndian<T: FixedWidthInteger>(_ bytes: [UInt8], at offset: Int, as type: T.Type) -> T {
        var value: T = 0
        for i in (0..<MemoryLayout<T>.size).reversed() {
            value = value << 8 | T(truncatingIfNeeded: bytes[offset + i])
        }
        return value
    }
}
