/// A binary PPM (P6, RGB) or PGM (P5, gray) image.
///
/// Header: the magic, then width, height and maxval as decimal numbers
/// separated by whitespace, where `#` starts a comment running to the end
/// of the line; one whitespace byte; then the samples row by row, RGB
/// interleaved, one byte each when maxval < 256, else two bytes big-endian.
/// Images over `maxSide` pixels per side or `maxPixels` in all are refused
/// before allocating.
public struct PNMImage: Equatable, Sendable {
    /// The largest width or height accepted.
    public static var maxSide: Int { ResourceLimits.maxImageSide }
    /// The largest width · height accepted.
    public static var maxPixels: Int { ResourceLimits.maxImagePixels }

    public var width: Int
    public var height: Int
    /// 3 for PPM, 1 for PGM.
    public var channels: Int
    /// The sample value that means full intensity (1...65535).
    public var maxValue: Int
    /// `height · width · channels` samples, row-major, channels interleaved.
    public var samples: [UInt16]

    /// An image; `samples.count` must be `height · width · channels`.
    public init(width: Int, height: Int, channels: Int, maxValue: Int = 255, samples: [UInt16]) {
        precondition(channels == 1 || channels == 3, "PNM images have 1 or 3 channels")
        precondition(samples.count == width * height * channels, "sample count does not match the image size")
        self.width = width; self.height = height; self.channels = channels
        self.maxValue = maxValue; self.samples = samples
    }

    /// Reads the image at `path`.
    public static func read(contentsOf path: String) throws -> PNMImage {
        switch FileBytes.read(path) {
        case .success(let bytes): try decode(bytes, source: path)
        case .failure(let failure): throw ImageError.unreadable(file: path, reason: failure.reason)
        }
    }

    /// Decodes a P6 or P5 image; `source` names it in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> PNMImage {
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P"), bytes[1] == UInt8(ascii: "6") || bytes[1] == UInt8(ascii: "5") else {
            throw ImageError.badMagic(file: source)
        }
        let channels = bytes[1] == UInt8(ascii: "6") ? 3 : 1
        var index = 2
        func number(_ what: String) throws -> Int {
            // Whitespace and comments before the number.
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "#") {
                    while index < bytes.count, bytes[index] != 0x0A, bytes[index] != 0x0D { index += 1 }
                } else if [0x20, 0x09, 0x0A, 0x0D, 0x0B, 0x0C].contains(bytes[index]) {
                    index += 1
                } else {
                    break
                }
            }
            var value = 0, digits = 0
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                digits += 1; index += 1
                guard digits <= 9 else { throw ImageError.malformedHeader(file: source, reason: "\(what) is too long a number") }
            }
            guard digits > 0 else { throw ImageError.malformedHeader(file: source, reason: "expected \(what) as a decimal number") }
            return value
        }
        let width = try number("the width"), height = try number("the height")
        guard width > 0, height > 0 else { throw ImageError.malformedHeader(file: source, reason: "image is \(width)x\(height)") }
        guard width <= maxSide, height <= maxSide, width * height <= maxPixels else {
            throw ImageError.tooLarge(file: source, width: width, height: height)
        }
        let maxValue = try number("maxval")
        guard (1...65535).contains(maxValue) else { throw ImageError.invalidMaxValue(file: source, value: maxValue) }
        guard index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) else {
            throw ImageError.malformedHeader(file: source, reason: "expected whitespace after maxval")
        }
        index += 1

        let count = width * height * channels
        let sampleBytes = maxValue < 256 ? 1 : 2
        guard bytes.count - index >= count * sampleBytes else {
            throw ImageError.truncated(file: source, expectedBytes: count * sampleBytes, foundBytes: bytes.count - index)
        }
        let start = index
        let samples: [UInt16] = sampleBytes == 1
            ? bytes[start..<(start + count)].map(UInt16.init)
            : (0..<count).map { UInt16(bytes[start + 2 * $0]) << 8 | UInt16(bytes[start + 2 * $0 + 1]) }
        if let bad = samples.first(where: { Int($0) > maxValue }) {
            throw ImageError.sampleOutOfRange(file: source, value: Int(bad), maxValue: maxValue)
        }
        return PNMImage(width: width, height: height, channels: channels, maxValue: maxValue, samples: samples)
    }

    /// Encodes the image as P6 or P5 with a minimal header.
    public func encode() -> [UInt8] {
        var out = Array("P\(channels == 3 ? 6 : 5)\n\(width) \(height)\n\(maxValue)\n".utf8)
        if maxValue < 256 {
            out += samples.map { UInt8(truncatingIfNeeded: $0) }
        } else {
            for sample in samples { out += [UInt8(sample >> 8), UInt8(truncatingIfNeeded: sample)] }
        }
        return out
    }
}
