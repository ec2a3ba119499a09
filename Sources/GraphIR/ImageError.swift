/// An image that cannot be read or fed to a model: one sentence per case,
/// naming the file.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file does not start with `P6` or `P5`.
    case badMagic(file: String)
    /// The header's width, height or maxval is missing or not a decimal number.
    case malformedHeader(file: String, reason: String)
    /// maxval is outside 1...65535.
    case invalidMaxValue(file: String, value: Int)
    /// The image exceeds `PNMImage.maxSide` per side or `PNMImage.maxPixels`; refused before allocating.
    case tooLarge(file: String, width: Int, height: Int)
    /// The pixel data is shorter than width · height · channels samples.
    case truncated(file: String, expectedBytes: Int, foundBytes: Int)
    /// A sample is larger than maxval.
    case sampleOutOfRange(file: String, value: Int, maxValue: Int)
    /// The model's input has a channel count images cannot feed.
    case unsupportedChannels(file: String, channels: Int)

    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            "\(file): cannot read the image: \(reason)"
        case .badMagic(let file):
            "\(file): not a binary PPM (P6) or PGM (P5) image"
        case .malformedHeader(let file, let reason):
            "\(file): malformed PPM/PGM header: \(reason)"
        case .invalidMaxValue(let file, let value):
            "\(file): maxval \(value) is outside 1...65535"
        case .tooLarge(let file, let width, let height):
            "\(file): image \(width)x\(height) exceeds the limit of \(PNMImage.maxSide) pixels per side and \(PNMImage.maxPixels) pixels in all (set RESNETC_MAX_IMAGE_SIDE, RESNETC_MAX_IMAGE_PIXELS to change it)"
        case .truncated(let file, let expectedBytes, let foundBytes):
            "\(file): pixel data is truncated: expected \(expectedBytes) bytes, found \(foundBytes)"
        case .sampleOutOfRange(let file, let value, let maxValue):
            "\(file): sample value \(value) exceeds maxval \(maxValue)"
        case .unsupportedChannels(let file, let channels):
            "\(file): the model's input has \(channels) channels; images feed only 1 (gray) or 3 (RGB)"
        }
    }
}
