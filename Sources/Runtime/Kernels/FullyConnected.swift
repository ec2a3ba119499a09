/// `output[n, k] = bias[k] + Σ_c input[n, c] · weight[k, c]`, then optional ReLU.
///
/// ```
/// weight  [K][Cin]   (row-major, PyTorch's layout)
/// input   [N][Cin]   (an [N, C, 1, 1] tensor is the same memory)
/// ```
///
/// Tasks are (image, block of `featuresPerTask` outputs); each dot product
/// runs over `c` in order in eight interleaved partial sums (lane `c mod 8`),
/// added lane 0 … 7 at the end, the same on any thread count. Never reads
/// its output.
enum FullyConnected {
    static let featuresPerTask = 16

    static func run(batch: Int, inFeatures: Int, outFeatures: Int, input: UnsafePointer<Float>,
                    weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?, relu: Bool,
                    output: UnsafeMutablePointer<Float>, threads: Int) {
        let blocks = (outFeatures + featuresPerTask - 1) / featuresPerTask
        parallelFor(batch * blocks, threads: threads) { task in
            let n = task / blocks, block = task % blocks
            let x = input + n &* inFeatures
            for k in (block &* featuresPerTask)..<min(outFeatures, (block &+ 1) &* featuresPerTask) {
                let value = dot(x, weight + k &* inFeatures, count: inFeatures) + (bias?[k] ?? 0)
                output[n &* outFeatures &+ k] = relu ? max(value, 0) : value
            }
        }
    }

    @inline(__always)
    private static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var lanes = SIMD8<Float>()
        var c = 0
        while c &+ 8 <= count {
            lanes.addProduct(UnsafeRawPointer(a + c).loadUnaligned(as: SIMD8<Float>.self),
                             UnsafeRawPointer(b + c).loadUnaligned(as: SIMD8<Float>.self))
            c &+= 8
        }
        while c < count {
            lanes[c & 7] += a[c] * b[c]
            c &+= 1
        }
        var sum: Float = 0
        for lane in 0..<8 { sum += lanes[lane] }
        return sum
    }
}
