/// Elementwise kernels over dense tensors: add, ReLU, per-channel affine and
/// copy. Tasks are contiguous chunks of `elementsPerTask` elements (affine:
/// whole channel planes). Each output element depends only on the same
/// element of the inputs, so all of them work exactly in place.
enum Elementwise {
    static let elementsPerTask = 1 << 14

    /// `output = a + b`, then optional ReLU.
    static func add(count: Int, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, relu: Bool,
                    output: UnsafeMutablePointer<Float>, threads: Int) {
        forEachChunk(count, threads: threads) { range in
            if relu {
                for i in range { output[i] = max(a[i] + b[i], 0) }
            } else {
                for i in range { output[i] = a[i] + b[i] }
            }
        }
    }

    /// `output = max(input, 0)`.
    static func relu(count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, threads: Int) {
        forEachChunk(count, threads: threads) { range in
            for i in range { output[i] = max(input[i], 0) }
        }
    }

    /// A copy (`memmove`: exactly in place is a no-op).
    static func copy(count: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>) {
        if UnsafePointer(output) != input { output.update(from: input, count: count) }
    }

    /// `output[n, c, …] = input[n, c, …] · scale[c] + shift[c]`, then optional
    /// `+ residual` and ReLU, for a tensor of `batch · channels` planes of
    /// `planeSize` elements (1 for [N, C]).
    static func affine(batch: Int, channels: Int, planeSize: Int, input: UnsafePointer<Float>,
                       scale: UnsafePointer<Float>, shift: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                       relu: Bool, output: UnsafeMutablePointer<Float>, threads: Int) {
        let planes = batch * channels
        let planesPerTask = max(1, elementsPerTask / planeSize)
        parallelFor((planes + planesPerTask - 1) / planesPerTask, threads: threads) { task in
            for plane in (task &* planesPerTask)..<min(planes, (task &+ 1) &* planesPerTask) {
                let c = plane % channels, start = plane &* planeSize
                let a = scale[c], b = shift[c]
                for i in start..<(start &+ planeSize) {
                    var value = input[i] * a + b
                    if let residual { value += residual[i] }
                    output[i] = relu ? max(value, 0) : value
                }
            }
        }
    }

    @inline(__always)
    private static func forEachChunk(_ count: Int, threads: Int, _ body: (Range<Int>) -> Void) {
        parallelFor((count + elementsPerTask - 1) / elementsPerTask, threads: threads) { task in
            body((task &* elementsPerTask)..<min(count, (task &+ 1) &* elementsPerTask))
        }
    }
}
