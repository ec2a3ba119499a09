import RuntimeAVX512
import RuntimeIntrinsics

/// Convolutions on small maps, as the GEMM `PackedConvolution` runs with the
/// roles swapped: output *pixels* are the microkernel's 6 rows and output
/// *channels* its 16 columns (with AVX-512, `GEMMMicrokernel6x64`'s 64: a
/// task's four channel panels in one call).
///
/// On a 7x7 map a 16-pixel column panel wastes 15 of 64 columns (49 pixels),
/// a 6-pixel row panel 5 of 54; output channels, which ResNet has in
/// multiples of 64, fill 16-wide panels exactly; and the weights, streamed as
/// B, are read contiguously. A is the input as `PackedConvolution` reads it
/// (`InputView`): in place for a 1x1 conv, a subsampled copy for a strided
/// 1x1, the zero-padded polyphase copy through the per-k offset table for
/// anything else. A panel's six output pixels are gathered at six offsets
/// from each k step's base (`GEMMMicrokernel6x16.runGatheredA`), so panels
/// run over real pixels only, across output rows, and a partial last panel
/// repeats its last pixel instead of being packed (measured, 2 threads,
/// 3x3/2 at 14→7: 60 computed rows per 49 pixels through virtual pixels,
/// 54 now). B is the weights, packed at compile time in 16-column panels. K
/// runs in blocks of `kc` over all of a task's tiles (each accumulating in
/// scratch); then every tile is transposed on the way out (in registers,
/// `TileTranspose`): bias, residual, scale/shift and ReLU per element, in
/// `PackedConvolution`'s order.
///
/// ```
///   packed weights: panel j (output channels 16j … 16j+15), k-major, k = (cin, kh, kw)
///     k=0: w[16j][0] … w[16j+15][0] | k=1: … | … | k=K-1: …   (channels past C_out are zero)
///   scratch: the input copies (ConvTiling) of the images of one pass
///            | per worker: a task's 6×16 tiles for those images, summed over K blocks
/// ```
///
/// A batch runs in passes of `imagesPerPass` images; a task is a block of
/// channel panels over every image of its pass, so each weight panel it
/// brings into L1 serves all their pixel panels. When the input outweighs
/// the weights (a 3x3/2 step at 56→28), the pixel panels are cut into
/// parts as well, part-major, so each core reads its own band of the input
/// rather than all of it. No task splits K, and the
/// pass size does not depend on the thread count, so results are bitwise
/// identical for any thread count. Each residual element is read
/// just before the same output element is written (the two may alias).
public enum PixelPanelConvolution {
    /// Output channels per task.
    static let channelsPerTask = 64
    /// K per block for a 1x1 convolution read in place on a map larger
    /// than `smallMapPixels`: the block's weight panel (8 KiB) stays in L1
    /// across the task's tiles, the image's input rows for it in L2.
    /// Measured, 2 threads, 2048→512 at 7x7: 159 GFLOP/s at kc = 128, 128 at
    /// 256, 109 unblocked.
    static let flatKC = 128
    /// K per block for a 1x1 convolution on a map of at most
    /// `smallMapPixels`: the image's input rows for the block (12.5 KiB at
    /// 7x7), its weight panel and the next one being prefetched (4 KiB each)
    /// and the panel's tiles (3.4 KiB) all fit in L1's 32 KiB, where at
    /// kc = 128 the rows alone took 25 KiB. Measured in ResNet-50 on two
    /// threads (paired, per step): layer 4's 7x7 steps 0.93–0.96 at batch 1
    /// and 0.93–0.98 at batch 8 against kc = 128, 0.96–0.99 against 96;
    /// 14x14 steps, whose rows live in L2 either way, changed by 0.98–1.02
    /// at 96, so they keep `flatKC`.
    static let smallMapKC = 64
    /// Output pixels of the largest map that takes `smallMapKC` (7x7).
    static let smallMapPixels = 49
    /// K per block through the offset table (3x3, strided): a tile's
    /// gathered input rows for the block (one or two lines per k) and the
    /// block's weight panel (9 KiB) must stay in L1 for the next pixel
    /// panel, which reads mostly the same lines. Measured on one core,
    /// kc = 144 against 384: 3x3/2 128 channels 56→28 2.82 → 2.49 ms, 256
    /// channels 28→14 2.54 → 2.35, 512 channels 14→7 2.66 → 2.63 (96: the
    /// same as 144, 72: slower on 14→7); in ResNet-50 on two threads the
    /// three 3x3/2 steps −2.5 to −4.4% (paired).
    static let indirectKC = 144

    /// The K block of a convolution: `indirectKC` through the offset table,
    /// else `smallMapKC` or `flatKC` by map size.
    static func kc(_ t: ConvTiling) -> Int {
        if t.indirect { return indirectKC }
        return t.pixels <= smallMapPixels ? smallMapKC : flatKC
    }

    /// Whether the convolution is ungrouped (any kernel, stride, padding, dilation).
    public static func supports(_ g: ConvGeometry) -> Bool { g.groups == 1 }

    /// Floats `packWeights` returns.
    public static func packedWeightCount(geometry g: ConvGeometry) -> Int {
        roundedChannels(g) * k(g)
    }

    /// Packs OIHW weights (C_out × C_in·kH·kW) into 16-column panels.
    public static func packWeights(_ oihw: [Float], geometry g: ConvGeometry) -> [Float] {
        let nr = GEMMMicrokernel6x16.nr
        let k = k(g)
        var packed = [Float](repeating: 0, count: packedWeightCount(geometry: g))
        for o in 0..<g.outChannels {
            for kk in 0..<k { packed[(o / nr * k + kk) * nr + o % nr] = oihw[o * k + kk] }
        }
        return packed
    }

    /// Floats of scratch `run` needs with `threads` threads.
    public static func scratchFloats(geometry g: ConvGeometry, threads: Int) -> Int {
        let t = ConvTiling(geometry: g, threads: threads)
        return imagesPerPass(t) * t.inputCopyFloats + workers(t, threads: threads) * workerFloats(t)
    }

    /// `output = relu?((conv(input) + bias + residual) · scale + shift)` for
    /// NCHW tensors; `scratch` holds `scratchFloats(geometry:threads:)` floats.
    public static func run(geometry g: ConvGeometry, packedWeights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                           input: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                           scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)? = nil, relu: Bool,
                           output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int,
                           isa: VectorISA = .host) {
        let t = ConvTiling(geometry: g, threads: threads)
        let blocks = (roundedChannels(g) + channelsPerTask - 1) / channelsPerTask
        let parts = pixelParts(t, threads: threads)
        let workers = workers(t, threads: threads)
        let (inImage, outImage) = (g.inChannels * g.inH * g.inW, g.outChannels * t.pixels)
        let perPass = imagesPerPass(t)
        let workerScratch = scratch + perPass * t.inputCopyFloats
        for first in stride(from: 0, to: g.batch, by: perPass) {
            let images = min(perPass, g.batch - first)
            func prepare(_ i: Int) -> InputView {
                PackedConvolution.prepareInput(input + (first + i) * inImage, tiling: t,
                                               copy: scratch + i * t.inputCopyFloats, threads: threads)
            }
            // Every later image's view is the first one's, `imageStride` floats on.
            let view = prepare(0)
            for i in 1..<images { _ = prepare(i) }
            let imageStride = t.pointwise ? inImage : t.inputCopyFloats
            let work = Work(t: t, view: view, imageStride: imageStride, images: images, weights: packedWeights,
                            bias: bias, residual: residual.map { $0 + first * outImage }, scaleShift: scaleShift,
                            relu: relu, output: output + first * outImage, wide: isa == .avx512)
            parallelTasks(parts * blocks, workers: workers) { worker, task in
                let (part, block) = task.quotientAndRemainder(dividingBy: blocks)
                work.run(block: block, panels: evenPart(pixelPanels(t), part, of: parts),
                         tiles: workerScratch + worker * workerFloats(t))
            }
        }
    }

    static func k(_ g: ConvGeometry) -> Int { g.inChannels * g.kernelH * g.kernelW }

    static func roundedChannels(_ g: ConvGeometry) -> Int {
        (g.outChannels + GEMMMicrokernel6x16.nr - 1) / GEMMMicrokernel6x16.nr * GEMMMicrokernel6x16.nr
    }

    /// Pixel panels of one image: its output pixels, six at a time.
    static func pixelPanels(_ t: ConvTiling) -> Int { (t.pixels + GEMMMicrokernel6x16.mr - 1) / GEMMMicrokernel6x16.mr }

    /// Accumulator floats one image adds to a task: its pixel panels × the task's channel panels.
    static func tileFloats(_ t: ConvTiling) -> Int {
        channelsPerTask / GEMMMicrokernel6x16.nr * pixelPanels(t) * GEMMMicrokernel6x16.mr * GEMMMicrokernel6x16.nr
    }

    /// Largest footprint of one pass's images in a task (floats, 384 KiB):
    /// accumulators plus one K block of input, which every channel panel of
    /// the task re-reads, so it must stay in the core's L2.
    static let passBudget = 96 * 1024

    /// Images of a batch whose pixel panels share one pass over the weights:
    /// each weight panel brought into L1 serves all of them. Measured, 2
    /// threads, ResNet-50 batch 8: layer 4's convolutions went from 98–176
    /// to 136–167 GFLOP/s; passing five 14x14 images at once (input blocks
    /// past L2) instead made layer 3's 1x1 convolutions 20% slower.
    static func imagesPerPass(_ t: ConvTiling) -> Int {
        max(1, min(t.geometry.batch, passBudget / (tileFloats(t) + min(kc(t), t.k) * t.n)))
    }

    static func workerFloats(_ t: ConvTiling) -> Int { imagesPerPass(t) * tileFloats(t) }

    /// Parts the pixel panels are cut into: two per thread when one image's
    /// input (as read, copied or not) outweighs the weights, else one.
    static func pixelParts(_ t: ConvTiling, threads: Int) -> Int {
        let g = t.geometry
        let input = t.pointwise ? g.inChannels * g.inH * g.inW : t.inputCopyFloats
        guard threads > 1, input > packedWeightCount(geometry: g) else { return 1 }
        return min(pixelPanels(t), 2 * threads)
    }

    static func workers(_ t: ConvTiling, threads: Int) -> Int {
        let blocks = (roundedChannels(t.geometry) + channelsPerTask - 1) / channelsPerTask
        return max(1, min(threads, blocks * pixelParts(t, threads: threads)))
    }

    /// The operands of one pass: `images` images, each view `imageStride`
    /// floats after the previous, outputs (and residuals) one image apart.
    struct Work {
        let t: ConvTiling
        let view: InputView
        let imageStride: Int
        let images: Int
        let weights: UnsafePointer<Float>
        let bias: UnsafePointer<Float>?
        let residual: UnsafePointer<Float>?
        let scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?
        let relu: Bool
        let output: UnsafeMutablePointer<Float>
        /// Whether a block of four channel panels runs the AVX-512 kernel.
        let wide: Bool

        /// Every image's pixel panels `panels` × the block's channel panels;
        /// tiles are image-major in `tiles`, then channel panel, then pixel panel.
        func run(block: Int, panels: Range<Int>, tiles: UnsafeMutablePointer<Float>) {
            let first = block * PixelPanelConvolution.channelsPerTask
            let channels = first..<min(first + PixelPanelConvolution.channelsPerTask, t.geometry.outChannels)
            let (mr, nr) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr)
            let (tileFloats, pixelPanels) = (PixelPanelConvolution.tileFloats(t), panels.count)
            withUnsafeTemporaryAllocation(of: PixelRows.self, capacity: pixelPanels) { rows in
                for (i, p) in panels.enumerated() { rows.initializeElement(at: i, to: pixelRows(panel: p)) }
                multiply(channels: channels, rows: UnsafeBufferPointer(rows), fourRowsLast: panels.upperBound == PixelPanelConvolution.pixelPanels(t),
                         tiles: tiles)
            }
            for image in 0..<images {
                for channel in stride(from: channels.lowerBound, to: channels.upperBound, by: nr) {
                    let row = tiles + image * tileFloats + (channel - first) / nr * pixelPanels * mr * nr
                    for (i, p) in panels.enumerated() {
                        store(row + i * mr * nr, image: image, channels: channel..<min(channel + nr, channels.upperBound),
                              pixels: (p * mr)..<min(p * mr + mr, t.pixels))
                    }
                }
            }
        }

        /// The tiles' sums over K, K block by K block, for `channels` (whole
        /// 16-channel panels from the block's start) and the pixel panels
        /// whose pixels sit at `rows` in the view (ending with the image's
        /// last panel if `fourRowsLast` is set).
        private func multiply(channels: Range<Int>, rows: UnsafeBufferPointer<PixelRows>,
                              fourRowsLast: Bool, tiles: UnsafeMutablePointer<Float>) {
            let (mr, nr) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr)
            let k = t.k
            let (tileFloats, pixelPanels) = (PixelPanelConvolution.tileFloats(t), rows.count)
            let kc = PixelPanelConvolution.kc(t)
            // A last panel of at most four pixels (a 7x7 map's 49th) runs four
            // rows here, one or four in `multiplyWide`.
            let fullPanels = !fourRowsLast || t.pixels % mr == 0 || t.pixels % mr > 4 ? pixelPanels : pixelPanels - 1
            if wide && ConvTiling.ceilDiv(channels.count, nr) == GEMMMicrokernel6x64.panels {
                return multiplyWide(channels: channels, rows: rows, fullPanels: fullPanels, tiles: tiles)
            }
            for start in stride(from: 0, to: k, by: kc) {
                let count = min(kc, k - start)
                var epilogue = GEMMMicrokernel6x16.Epilogue.none
                epilogue.accumulate = start > 0
                for channel in stride(from: channels.lowerBound, to: channels.upperBound, by: nr) {
                    let panel = weights + (channel * k + start * nr)
                    var ahead = nextChunk(after: (start, channel), channels: channels, steps: images * pixelPanels)
                    for image in 0..<images {
                        let a = view.base + image * imageStride
                        let row = tiles + image * tileFloats + (channel - channels.lowerBound) / nr * pixelPanels * mr * nr
                        for p in 0..<pixelPanels {
                            let c = row + p * mr * nr
                            ahead.step()
                            if p < fullPanels {
                                gather(GEMMMicrokernel6x16.SixRows.self, count: count, start: start, a: a, rows: rows[p],
                                       b: panel, c: c, epilogue: epilogue)
                            } else {
                                gather(GEMMMicrokernel6x16.FourRows.self, count: count, start: start, a: a,
                                       rows: rows[p], b: panel, c: c, epilogue: epilogue)
                            }
                        }
                    }
                }
            }
        }

        /// `multiply` for a block of four channel panels with the AVX-512
        /// kernel: each K block's four weight panels serve every pixel
        /// panel in one call per panel (the last one, of at most four
        /// pixels, panel by panel), while the next K block's four panels are
        /// prefetched into L2 over those calls.
        private func multiplyWide(channels: Range<Int>, rows: UnsafeBufferPointer<PixelRows>, fullPanels: Int,
                                  tiles: UnsafeMutablePointer<Float>) {
            let (mr, nr) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr)
            let (k, kc) = (t.k, PixelPanelConvolution.kc(t))
            let (tileFloats, pixelPanels) = (PixelPanelConvolution.tileFloats(t), rows.count)
            let (panelStride, cPanelStride) = (k * nr, pixelPanels * mr * nr)
            for start in stride(from: 0, to: k, by: kc) {
                let count = min(kc, k - start)
                let accumulate = start > 0
                let block = weights + (channels.lowerBound * k + start * nr)
                let next = start + kc < k ? min(kc, k - start - kc) * nr : 0
                let steps = images * pixelPanels
                var ahead = (SpreadPrefetch(block + kc * nr, floats: next, steps: steps, into: .l2),
                             SpreadPrefetch(block + panelStride + kc * nr, floats: next, steps: steps, into: .l2),
                             SpreadPrefetch(block + 2 * panelStride + kc * nr, floats: next, steps: steps, into: .l2),
                             SpreadPrefetch(block + 3 * panelStride + kc * nr, floats: next, steps: steps, into: .l2))
                for image in 0..<images {
                    let a = view.base + image * imageStride
                    let row = tiles + image * tileFloats
                    for p in 0..<pixelPanels {
                        ahead.0.step(); ahead.1.step(); ahead.2.step(); ahead.3.step()
                        let c = row + p * mr * nr
                        // The last panel's pixels only (a 7x7 map's 49th alone).
                        let pixels = p < fullPanels ? mr : t.pixels % mr
                        if let offsets = view.offsets {
                            GEMMMicrokernel6x64.runGatheredA(k: count, a: a, offsets: offsets + start, rows: rows[p],
                                                             pixels: pixels, b: block, panelStride: panelStride, c: c,
                                                             ldc: nr, cPanelStride: cPanelStride, accumulate: accumulate)
                        } else {
                            GEMMMicrokernel6x64.runGatheredA(k: count, a: a + start * view.plane, lda: view.plane,
                                                             rows: rows[p], pixels: pixels, b: block,
                                                             panelStride: panelStride, c: c, ldc: nr,
                                                             cPanelStride: cPanelStride, accumulate: accumulate)
                        }
                    }
                }
            }
        }

        /// One tile's sum over K block `start..<start + count`, A gathered at `rows` from image base `a`.
        @inline(__always)
        private func gather<R: GEMMMicrokernel6x16.Rows>(_: R.Type, count: Int, start: Int, a: UnsafePointer<Float>,
                                                         rows: PixelRows, b: UnsafePointer<Float>,
                                                         c: UnsafeMutablePointer<Float>,
                                                         epilogue: GEMMMicrokernel6x16.Epilogue) {
            let nr = GEMMMicrokernel6x16.nr
            if let offsets = view.offsets {
                GEMMMicrokernel6x16.runGatheredA(R.self, k: count, a: a, offsets: offsets + start, rows: rows, b: b,
                                                 c: c, ldc: nr, epilogue: epilogue)
            } else {
                GEMMMicrokernel6x16.runGatheredA(R.self, k: count, a: a + start * view.plane, lda: view.plane,
                                                 rows: rows, b: b, c: c, ldc: nr, epilogue: epilogue)
            }
        }

        /// The weights the loop in `multiply` reads after the K block at
        /// `start` of the panel at `channel`, to prefetch over its `steps`
        /// tiles: the next panel's block, or the next K block of the first
        /// panel. A 1x1 block (8 KiB) goes into L1 next to the current one;
        /// a block through the offset table goes into L2, as L1 already holds
        /// the current block and the input lines the next tiles gather (the
        /// choice was measured at 24 KiB blocks, kc = 384). Measured on one
        /// core, weights cold: 2048→512 at 7x7, 73 → 93 GFLOP/s; 3x3 512 at
        /// 7x7 83 → 88.
        private func nextChunk(after block: (start: Int, channel: Int), channels: Range<Int>, steps: Int) -> SpreadPrefetch {
            let (nr, k, kc) = (GEMMMicrokernel6x16.nr, t.k, PixelPanelConvolution.kc(t))
            let (start, channel): (Int, Int)
            if block.channel + nr < channels.upperBound {
                (start, channel) = (block.start, block.channel + nr)
            } else if block.start + kc < k {
                (start, channel) = (block.start + kc, channels.lowerBound)
            } else {
                return .none
            }
            return SpreadPrefetch(weights + (channel * k + start * nr), floats: min(kc, k - start) * nr, steps: steps,
                                  into: t.indirect ? .l2 : .l1)
        }

        /// `store` for six pixels of eight channels: the tile's 6×8 block
        /// transposed in registers, then per channel the same epilogue, in the
        /// same order, on a vector of its six pixels (two lanes idle), stored
        /// as four floats and two.
        @inline(__always)
        private func storeColumns(_ tile: UnsafeMutablePointer<Float>, channels: Range<Int>, pixel: Int,
                                  output: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?) {
            let nr = GEMMMicrokernel6x16.nr
            let row = { (q: Int) in UnsafeRawPointer(tile + q * nr).loadUnaligned(as: SIMD8<Float>.self) }
            let plane = t.pixels
            TileTranspose.forEachColumn(row(0), row(1), row(2), row(3), row(4), row(5)) { c, column in
                let channel = channels.lowerBound + c
                let at = channel * plane + pixel
                var value = column + SIMD8(repeating: bias?[channel] ?? 0)
                if let residual {
                    let r = UnsafeRawPointer(residual + at)
                    value += SIMD8(lowHalf: r.loadUnaligned(as: SIMD4<Float>.self),
                                   highHalf: SIMD4(lowHalf: r.loadUnaligned(fromByteOffset: 16, as: SIMD2<Float>.self),
                                                   highHalf: .zero))
                }
                if let (scale, shift) = scaleShift {
                    value = value * SIMD8(repeating: scale[channel]) + SIMD8(repeating: shift[channel])
                }
                // As `max(value, 0)`: a NaN or −0 stays.
                if relu { value.replace(with: 0, where: value .< 0) }
                let target = UnsafeMutableRawPointer(output + at)
                target.storeBytes(of: value.lowHalf, as: SIMD4<Float>.self)
                target.storeBytes(of: value.highHalf.lowHalf, toByteOffset: 16, as: SIMD2<Float>.self)
            }
        }

        /// Where panel `p`'s six output pixels sit in the view: output pixel
        /// (oh, ow) is virtual pixel oh · virtualWidth + ow (its top-left tap,
        /// or itself for a 1x1 view); past the last pixel, the last one again.
        @inline(__always)
        func pixelRows(panel p: Int) -> PixelRows {
            let (outW, wv, last) = (t.geometry.outW, t.virtualWidth, t.pixels - 1)
            func at(_ r: Int) -> Int {
                let pixel = min(p * GEMMMicrokernel6x16.mr + r, last)
                return pixel / outW * wv + pixel % outW
            }
            return PixelRows(r0: at(0), r1: at(1), r2: at(2), r3: at(3), r4: at(4), r5: at(5))
        }

        /// The transposed tile (row = pixel, column = channel) through the
        /// epilogue into NCHW, channel by channel, so the per-channel operands
        /// are loaded once and the stores are contiguous (measured on one
        /// core, 512→2048 + residual at 7x7: the store took a quarter of the
        /// convolution element by element). A whole tile (six pixels, sixteen
        /// channels) is transposed in registers (`storeColumns`); a partial
        /// one goes element by element.
        @inline(__always)
        func store(_ tile: UnsafeMutablePointer<Float>, image: Int, channels: Range<Int>, pixels: Range<Int>) {
            let (mr, nr) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr)
            let plane = t.pixels
            let output = output + image * t.geometry.outChannels * plane
            let residual = residual.map { $0 + image * t.geometry.outChannels * plane }
            if pixels.count == mr && channels.count == nr {
                for half in stride(from: 0, to: nr, by: 8) {
                    storeColumns(tile + half, channels: (channels.lowerBound + half)..<(channels.lowerBound + half + 8),
                                 pixel: pixels.lowerBound, output: output, residual: residual)
                }
                return
            }
            for c in 0..<channels.count {
                let channel = channels.lowerBound + c
                let at = channel * plane + pixels.lowerBound
                let target = output + at, res = residual.map { $0 + at }
                let b = bias?[channel] ?? 0
                let (scale, shift) = scaleShift.map { ($0.scale[channel], $0.shift[channel]) } ?? (1, 0)
                for q in 0..<pixels.count {
                    var value = tile[q * nr + c] + b
                    if let res { value += res[q] }
                    if scaleShift != nil { value = value * scale + shift }
                    target[q] = relu ? max(value, 0) : value
                }
            }
        }
    }
}
