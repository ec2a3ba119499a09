import Synchronization

/// 1x1 convolutions on small maps, as the GEMM `PackedConvolution` runs with
/// the roles swapped: output *pixels* are the microkernel's 6 rows and output
/// *channels* its 16 columns.
///
/// On a 7x7 map a 16-pixel column panel wastes 15 of 64 columns (49 pixels),
/// a 6-pixel row panel 5 of 54; and output channels, which ResNet has in
/// multiples of 64, fill 16-wide panels exactly. A is the input read in place
/// (pixel panel p of input channel k at `input + k·HW + 6p`, so `lda` = HW; a
/// strided conv reads a subsampled copy), B the weights, packed at compile
/// time in 16-column panels. K runs in blocks of `kc` over all of a task's
/// tiles (each accumulating in scratch); then every tile is transposed on the
/// way out: bias, residual, scale/shift and ReLU per element, in
/// `PackedConvolution`'s order.
///
/// ```
///   packed weights: panel j (output channels 16j … 16j+15), k-major
///     k=0: w[16j][0] … w[16j+15][0] | k=1: … | … | k=K-1: …   (channels past C_out are zero)
///   scratch: subsampled input (strided convs, all images)
///            | per worker: last pixel panel (K × 6) | a task's 6×16 tiles, summed over K blocks of `kc`
/// ```
///
/// Tasks are (image, block of channel panels); none splits K, so results are
/// bitwise identical for any thread count. Each residual element is read just
/// before the same output element is written (the two may alias).
public enum PixelPanelConvolution {
    /// Output channels per task.
    static let channelsPerTask = 64
    /// Input channels per K block: the block's weight panel (8 KiB) and the
    /// image's input rows for it (≤ 25 KiB at 7x7) stay in L1 across the
    /// task's tiles. Measured, 2 threads, 2048→512 at 7x7: 159 GFLOP/s at
    /// kc = 128, 128 at 256, 109 unblocked.
    static let kc = 128

    /// Whether the geometry is an unpadded, ungrouped 1x1 convolution.
    public static func supports(_ g: ConvGeometry) -> Bool {
        g.kernelH == 1 && g.kernelW == 1 && g.padTop == 0 && g.padLeft == 0 && g.groups == 1
    }

    /// Floats `packWeights` returns.
    public static func packedWeightCount(geometry g: ConvGeometry) -> Int {
        roundedChannels(g) * g.inChannels
    }

    /// Packs OIHW weights (C_out × C_in) into 16-column panels.
    public static func packWeights(_ oihw: [Float], geometry g: ConvGeometry) -> [Float] {
        let nr = GEMMMicrokernel6x16.nr
        var packed = [Float](repeating: 0, count: packedWeightCount(geometry: g))
        for o in 0..<g.outChannels {
            for k in 0..<g.inChannels {
                packed[(o / nr * g.inChannels + k) * nr + o % nr] = oihw[o * g.inChannels + k]
            }
        }
        return packed
    }

    /// Floats of scratch `run` needs with `threads` threads.
    public static func scratchFloats(geometry g: ConvGeometry, threads: Int) -> Int {
        copyFloats(g) + workers(g, threads: threads) * workerFloats(g)
    }

    /// `output = relu?((conv(input) + bias + residual) · scale + shift)` for
    /// NCHW tensors; `scratch` holds `scratchFloats(geometry:threads:)` floats.
    public static func run(geometry g: ConvGeometry, packedWeights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                           input: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                           scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)? = nil, relu: Bool,
                           output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int) {
        let pixels = g.outH * g.outW
        var source = input
        if g.strideH != 1 || g.strideW != 1 {
            for image in 0..<g.batch {
                _ = InputView.subsampled(input + image * g.inChannels * g.inH * g.inW, geometry: g,
                                         into: scratch + image * g.inChannels * pixels, threads: threads)
            }
            source = UnsafePointer(scratch)
        }
        let blocks = (roundedChannels(g) + channelsPerTask - 1) / channelsPerTask
        let tasks = g.batch * blocks
        let workers = workers(g, threads: threads)
        let work = Work(g: g, weights: packedWeights, input: source, bias: bias, residual: residual,
                        scaleShift: scaleShift, relu: relu, output: output)
        let next = Atomic<Int>(0)
        parallelFor(workers, threads: workers) { worker in
            let own = scratch + copyFloats(g) + worker * workerFloats(g)
            while true {
                let task = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if task >= tasks { break }
                work.run(image: task / blocks, block: task % blocks, edgePanel: own,
                         tiles: own + g.inChannels * GEMMMicrokernel6x16.mr)
            }
        }
    }

    static func roundedChannels(_ g: ConvGeometry) -> Int {
        (g.outChannels + GEMMMicrokernel6x16.nr - 1) / GEMMMicrokernel6x16.nr * GEMMMicrokernel6x16.nr
    }

    static func copyFloats(_ g: ConvGeometry) -> Int {
        g.strideH == 1 && g.strideW == 1 ? 0 : g.batch * g.inChannels * g.outH * g.outW
    }

    static func workerFloats(_ g: ConvGeometry) -> Int {
        let tiles = channelsPerTask / GEMMMicrokernel6x16.nr * ((g.outH * g.outW + 5) / 6)
        return (g.inChannels + tiles * GEMMMicrokernel6x16.nr) * GEMMMicrokernel6x16.mr
    }

    static func workers(_ g: ConvGeometry, threads: Int) -> Int {
        max(1, min(threads, g.batch * ((roundedChannels(g) + channelsPerTask - 1) / channelsPerTask)))
    }

    /// One task's operands.
    struct Work {
        let g: ConvGeometry
        let weights: UnsafePointer<Float>
        let input: UnsafePointer<Float>
        let bias: UnsafePointer<Float>?
        let residual: UnsafePointer<Float>?
        let scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?
        let relu: Bool
        let output: UnsafeMutablePointer<Float>

        /// Every pixel panel × the block's channel panels of one image.
        func run(image: Int, block: Int, edgePanel: UnsafeMutablePointer<Float>, tiles: UnsafeMutablePointer<Float>) {
            let (mr, nr) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr)
            let (k, pixels) = (g.inChannels, g.outH * g.outW)
            let x = input + image * k * pixels
            let first = block * PixelPanelConvolution.channelsPerTask
            let last = min(first + PixelPanelConvolution.channelsPerTask, g.outChannels)
            // The last pixel panel, if partial, packed (read in place it would run past the input).
            let whole = pixels / mr * mr
            if whole < pixels {
                for kk in 0..<k {
                    for r in 0..<mr { edgePanel[kk * mr + r] = whole + r < pixels ? x[kk * pixels + whole + r] : 0 }
                }
            }
            // K blocks outermost; every tile of the task accumulates in `tiles`.
            let pixelPanels = (pixels + mr - 1) / mr
            for start in stride(from: 0, to: k, by: PixelPanelConvolution.kc) {
                let count = min(PixelPanelConvolution.kc, k - start)
                var epilogue = GEMMMicrokernel6x16.Epilogue.none
                epilogue.accumulate = start > 0
                for channel in stride(from: first, to: last, by: nr) {
                    let panel = weights + (channel * k + start * nr)
                    let row = tiles + (channel - first) / nr * pixelPanels * mr * nr
                    for p in 0..<pixelPanels {
                        let pixel = p * mr
                        let inPlace = pixel < whole
                        GEMMMicrokernel6x16.run(k: count, a: inPlace ? x + (start * pixels + pixel) : UnsafePointer(edgePanel + start * mr),
                                                lda: inPlace ? pixels : mr, b: panel, c: row + p * mr * nr, ldc: nr,
                                                epilogue: epilogue)
                    }
                }
            }
            for channel in stride(from: first, to: last, by: nr) {
                let row = tiles + (channel - first) / nr * pixelPanels * mr * nr
                for p in 0..<pixelPanels {
                    store(row + p * mr * nr, image: image, channels: channel..<min(channel + nr, g.outChannels),
                          pixels: (p * mr)..<min(p * mr + mr, pixels))
                }
            }
        }

        /// The transposed tile (row = pixel, column = channel) through the epilogue into NCHW.
        @inline(__always)
        func store(_ tile: UnsafeMutablePointer<Float>, image: Int, channels: Range<Int>, pixels: Range<Int>) {
            let nr = GEMMMicrokernel6x16.nr
            let plane = g.outH * g.outW
            let base = (image * g.outChannels + channels.lowerBound) * plane + pixels.lowerBound
            for c in 0..<channels.count {
                let channel = channels.lowerBound + c
                let b = bias?[channel] ?? 0
                let (scale, shift) = scaleShift.map { ($0.scale[channel], $0.shift[channel]) } ?? (1, 0)
                let at = base + c * plane
                for r in 0..<pixels.count {
                    var value = tile[r * nr + c] + b
                    if let residual { value += residual[at + r] }
                    value = value * scale + shift
                    output[at + r] = relu ? max(value, 0) : value
                }
            }
        }
    }
}
