import Foundation

/// Sizes resnetc refuses before allocating anything, so a hostile or
/// mistaken model cannot exhaust memory or overflow an `Int`.
///
/// Each limit can be raised (or lowered) with an environment variable.
public enum ResourceLimits {
    /// Largest tensor (activation or parameter), in elements: 2^28 (1 GiB of
    /// float32) by default; `RESNETC_MAX_ELEMENTS` overrides it.
    public static let maxTensorElements: Int = environmentLimit("RESNETC_MAX_ELEMENTS", default: 1 << 28)

    /// Largest safetensors JSON header, in bytes: 100 MB by default;
    /// `RESNETC_MAX_HEADER_BYTES` overrides it.
    public static let maxHeaderBytes: Int = environmentLimit("RESNETC_MAX_HEADER_BYTES", default: 100_000_000)

    /// Largest image side, in pixels: 16384; `RESNETC_MAX_IMAGE_SIDE` overrides it.
    public static let maxImageSide: Int = environmentLimit("RESNETC_MAX_IMAGE_SIDE", default: 16384)

    /// Largest image, in pixels: 100 M; `RESNETC_MAX_IMAGE_PIXELS` overrides it.
    public static let maxImagePixels: Int = environmentLimit("RESNETC_MAX_IMAGE_PIXELS", default: 100_000_000)

    /// The product of `shape`, or nil if it overflows `Int`.
    public static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for dimension in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
            if overflow || dimension < 0 { return nil }
            count = product
        }
        return count
    }

    /// A message if a tensor of `shape` is over `maxTensorElements`.
    public static func check(_ shape: [Int], what: String) -> String? {
        let count = elementCount(shape)
        if let count, count <= maxTensorElements { return nil }
        let size = count.map { "\($0) elements" } ?? "more elements than an Int can count"
        return "\(what) of shape \(shape.bracketed) has \(size), over the limit of \(maxTensorElements) "
            + "(set RESNETC_MAX_ELEMENTS to change it)"
    }

    static func environmentLimit(_ name: String, default value: Int) -> Int {
        ProcessInfo.processInfo.environment[name].flatMap { Int($0) }.flatMap { $0 > 0 ? $0 : nil } ?? value
    }
}
