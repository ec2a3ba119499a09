/// Turns an image into a model input the way torchvision's ImageNet
/// evaluation transform does:
///
/// 1. Channels: an image with the model's channel count is used as is; a
///    gray (PGM) image fed to a 3-channel model is replicated to R = G = B; an
///    RGB (PPM) image fed to a 1-channel model is converted to gray as
///    0.299 R + 0.587 G + 0.114 B (ITU-R BT.601). Samples are scaled to [0, 1]
///    by maxval (`ToTensor`).
/// 2. Resize (`Resize(round(H · 256/224), antialias=False)` on that float
///    tensor): the shorter side becomes S = round(H · 256 / 224) and the
///    longer one ⌊S · long / short⌋, keeping the aspect ratio, by bilinear
///    interpolation with `align_corners=False` (PyTorch's
///    `upsample_bilinear2d`: source = (dst + 0.5) · in/out − 0.5, clamped at 0).
/// 3. Center crop to H × W (`CenterCrop`): the top offset is
///    round((resized height − H) / 2), the left offset likewise; rounding is
///    Python's, half to even. Where the resized image is smaller than the
///    crop, it is padded with zeros (black) as `CenterCrop` pads.
/// 4. For 3 channels, normalize with the ImageNet mean (0.485, 0.456, 0.406)
///    and standard deviation (0.229, 0.224, 0.225). A 1-channel input stays in
///    [0, 1]: there is no standard gray normalization.
public enum ImagePreprocessing {
    static let mean: [Float] = [0.485, 0.456, 0.406]
    static let std: [Float] = [0.229, 0.224, 0.225]

    /// Reads the PPM or PGM image at `path` and returns a `[1, channels,
    /// height, width]` input; `channels` must be 1 or 3.
    public static func inputTensor(fromImageAt path: String, channels: Int, height: Int, width: Int) throws -> Tensor {
        try inputTensor(from: PNMImage.read(contentsOf: path), source: path, channels: channels, height: height, width: width)
    }

    /// Preprocesses a decoded image; `source` names it in errors.
    public static func inputTensor(from image: PNMImage, source: String, channels: Int, height: Int, width: Int) throws -> Tensor {
        guard channels == 1 || channels == 3 else { throw ImageError.unsupportedChannels(file: source, channels: channels) }
        let planes = planes(of: image, channels: channels)

        let short = Double(min(image.width, image.height)), long = Double(max(image.width, image.height))
        let resizedShort = Int((Double(height) * 256 / 224).rounded(.toNearestOrEven))
        let resizedLong = Int(Double(resizedShort) * long / short)
        let (resizedH, resizedW) = image.height <= image.width ? (resizedShort, resizedLong) : (resizedLong, resizedShort)
        let rows = taps(input: image.height, output: resizedH, crop: height)
        let columns = taps(input: image.width, output: resizedW, crop: width)

        var data = [Float](repeating: 0, count: channels * height * width)
        for c in 0..<channels {
            let plane = planes[c]
            for (y, row) in rows.enumerated() {
                guard let row else { continue }
                for (x, column) in columns.enumerated() {
                    guard let column else { continue }
                    let top = column.w0 * plane[row.i0 * image.width + column.i0] + column.w1 * plane[row.i0 * image.width + column.i1]
                    let bottom = column.w0 * plane[row.i1 * image.width + column.i0] + column.w1 * plane[row.i1 * image.width + column.i1]
                    data[(c * height + y) * width + x] = row.w0 * top + row.w1 * bottom
                }
            }
            if channels == 3 {
                for i in (c * height * width)..<((c + 1) * height * width) { data[i] = (data[i] - mean[c]) / std[c] }
            }
        }
        return Tensor(shape: [1, channels, height, width], data: data)
    }

    /// The image as `channels` planes of floats in [0, 1].
    private static func planes(of image: PNMImage, channels: Int) -> [[Float]] {
        let scale = 1 / Float(image.maxValue)
        let pixels = image.width * image.height
        let own = (0..<image.channels).map { c in
            (0..<pixels).map { Float(image.samples[$0 * image.channels + c]) * scale }
        }
        switch (image.channels, channels) {
        case (3, 1):
            return [(0..<pixels).map { 0.299 * own[0][$0] + 0.587 * own[1][$0] + 0.114 * own[2][$0] }]
        case (1, 3):
            return [own[0], own[0], own[0]]
        default:
            return own
        }
    }

    /// One output coordinate's two source indices and weights.
    private struct Tap { var i0: Int, i1: Int, w0: Float, w1: Float }

    /// For each of the `crop` output coordinates of a center crop of a
    /// resize from `input` to `output` samples: its bilinear taps, or nil in
    /// the zero padding.
    private static func taps(input: Int, output: Int, crop: Int) -> [Tap?] {
        let offset = output >= crop
            ? Int((Double(output - crop) / 2).rounded(.toNearestOrEven))
            : -((crop - output) / 2)
        let scale = Float(input) / Float(output)
        return (0..<crop).map { i in
            let dst = i + offset
            guard dst >= 0, dst < output else { return nil }
            let source = max(scale * (Float(dst) + 0.5) - 0.5, 0)
            let i0 = min(Int(source), input - 1)
            let w1 = source - Float(i0)
            return Tap(i0: i0, i1: i0 < input - 1 ? i0 + 1 : i0, w0: 1 - w1, w1: w1)
        }
    }
}
