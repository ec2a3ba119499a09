import RuntimeAVX512
import RuntimeIntrinsics

/// FP32 convolution as a GEMM per image and group (BLIS-style blocking),
/// with bias, residual add and ReLU fused into the store.
///
/// Per group the GEMM is `C[M×N] = A[M×K] · B[K×N]`: M = the group's output
/// channels, N = output pixels (one image), K = the group's input channels ·
/// kH · kW, so `C` rows are NCHW output rows. A (the weights) is packed once,
/// at compile time, into MR-row panels (`packWeights`). B is not copied
/// into a GEMM layout of its own:
///
/// - 1x1: B is the input (or, strided, a subsampled copy), row-major, read
///   in place or, where many A panels read a pixel block, packed by the
///   worker that runs it (`packedPanelCalls`, `TaskScratch.packed`);
/// - otherwise: B is read through an offset table from a zero-padded
///   polyphase copy of the input, whose phase (ph, pw) holds padded rows
///   ph, ph+s, … and columns pw, pw+s, …, so every tap of a stride-s
///   convolution is a stride-1 shift of one phase plane. Pixels run over
///   phase rows ("virtual pixels"); the few past each output row are
///   computed into a worker-local C block and dropped when it is scattered
///   to the output.
///
/// ```
///   packed A, per group: panel 0 (rows 0…5), panel 1 (rows 6…11), …
///     panel p: k=0: w[6p+0][0] … w[6p+5][0] | k=1: … | … | k=K-1: …
///     (rows past M are zero)
///   B row k at virtual pixel v:  copy + offset[k] + v
///     offset[k] = phase(c, dh mod s, dw mod s) + (dh / s)·phaseW + dw / s
/// ```
///
/// The microkernel is `GEMMMicrokernel6x16`, or with AVX-512
/// (`VectorISA.avx512`) `GEMMMicrokernel6x64` for four whole B panels at a
/// time (64 pixels: in place, packed, or through the offset table), the
/// 6×16 one for the rest. Tasks are output blocks
/// (`ConvTiling`) and never split K, so results are bitwise identical for any
/// thread count. `run` never reads `output` or `scratch` before writing them,
/// and the output may alias the residual.
public enum PackedConvolution {
    /// Floats `packWeights` returns for this geometry.
    public static func packedWeightCount(geometry: ConvGeometry) -> Int {
        let m = geometry.outChannels / geometry.groups
        let k = geometry.inChannels / geometry.groups * geometry.kernelH * geometry.kernelW
        let mr = GEMMMicrokernel6x16.mr
        return geometry.groups * ConvTiling.ceilDiv(m, mr) * k * mr
    }

    /// Packs OIHW weights (outC × inC/groups × kH × kW, row-major) for `run`.
    public static func packWeights(_ oihw: [Float], geometry: ConvGeometry) -> [Float] {
        let m = geometry.outChannels / geometry.groups
        let k = geometry.inChannels / geometry.groups * geometry.kernelH * geometry.kernelW
        precondition(oihw.count == geometry.outChannels * k, "OIHW weights: expected \(geometry.outChannels * k) floats, got \(oihw.count)")
        let mr = GEMMMicrokernel6x16.mr
        let panels = ConvTiling.ceilDiv(m, mr)
        var packed = [Float](repeating: 0, count: packedWeightCount(geometry: geometry))
        for group in 0..<geometry.groups {
            for panel in 0..<panels {
                let panelBase = (group * panels + panel) * k * mr
                for r in 0..<mr where panel * mr + r < m {
                    let row = (group * m + panel * mr + r) * k
                    for kk in 0..<k { packed[panelBase + kk * mr + r] = oihw[row + kk] }
                }
            }
        }
        return packed
    }

    /// Floats of per-call scratch `run` needs with `threads` threads.
    public static func scratchFloats(geometry: ConvGeometry, threads: Int) -> Int {
        ConvTiling(geometry: geometry, threads: threads).scratchFloats
    }

    /// Computes `output = relu?(conv(input, weights) + bias + residual)` for
    /// NCHW `input`/`output`; `residual`, if given, has the output's shape.
    /// `scratch` must hold `scratchFloats(geometry:threads:)` floats.
    public static func run(geometry: ConvGeometry, packedWeights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                           input: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                           scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)? = nil, relu: Bool,
                           output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int,
                           isa: VectorISA = .host) {
        let tiling = ConvTiling(geometry: geometry, threads: threads)
        let g = geometry
        let inImage = g.inChannels * g.inH * g.inW
        let outImage = g.outChannels * tiling.pixels
        let workerScratch = scratch + tiling.inputCopyFloats
        // A 1x1 convolution reads every image in place, so one parallel run
        // covers the batch, each worker a contiguous band of images (as the
        // Winograd steps around it split a batch); anything else copies its
        // input, one image at a time.
        let imagesPerRun = tiling.pointwise ? g.batch : 1
        for first in stride(from: 0, to: g.batch, by: imagesPerRun) {
            let copied = tiling.pointwise ? nil
                : prepareInput(input + first * inImage, tiling: tiling, copy: scratch, threads: threads)
            let images = min(imagesPerRun, g.batch - first)
            // Which pixel block each worker's packed B block holds, if any.
            withUnsafeTemporaryAllocation(of: UnsafePointer<Float>?.self, capacity: tiling.workers) { buffer in
                guard let packed = buffer.baseAddress else { return }
                packed.initialize(repeating: nil, count: tiling.workers)
                parallelTasks(images * tiling.tasks, workers: tiling.workers) { worker, index in
                    let (i, task) = index.quotientAndRemainder(dividingBy: tiling.tasks)
                    let image = first + i
                    let view = copied ?? InputView(base: input + image * inImage, plane: g.inH * g.inW)
                    let scratch = workerScratch + worker * tiling.workerFloats
                    let panel = scratch + tiling.packedBlockFloats
                    runTask(task, tiling: tiling, view: view, packedWeights: packedWeights, bias: bias,
                            residual: residual.map { $0 + image * outImage }, scaleShift: scaleShift, relu: relu,
                            output: output + image * outImage,
                            scratch: TaskScratch(block: scratch, packed: packed + worker, panel: panel,
                                                 tile: panel + tiling.kc * GEMMMicrokernel6x16.nr),
                            wide: isa == .avx512)
                }
            }
        }
    }

    /// One worker's scratch for a task.
    struct TaskScratch {
        /// The packed B block: for each K block, the wide (64-pixel) column
        /// groups of the task's pixels, four 16-pixel panels each.
        let block: UnsafeMutablePointer<Float>
        /// The pixels whose B `block` holds (the view's base plus the
        /// task's first pixel), if a task packed it. Pixel blocks are the
        /// outer task index, so a worker's next task is mostly the next
        /// channel block of the same pixels and packs nothing (256→1024
        /// packed the same B eight times). Valid within one `parallelTasks`
        /// run only: a strided input's copy changes at the same address
        /// from image to image.
        let packed: UnsafeMutablePointer<UnsafePointer<Float>?>
        /// One 16-pixel panel, for the columns past the wide groups.
        let panel: UnsafeMutablePointer<Float>
        /// The edge tile, and for an indirect convolution the virtual C block.
        let tile: UnsafeMutablePointer<Float>
    }

    /// A flat B panel read by at least this many microkernel calls (6-row
    /// panels of the task's output channels) is packed first: read in place,
    /// each k step is a line of its own input plane, and 56×56 planes
    /// (3136 floats) put those lines in 16 of L1's 64 sets; 14×14 planes
    /// (196 floats) split each into two lines. Measured in ResNet-50, 2
    /// threads, paired: 64→256 at 56×56 (22 calls) −3 to −6%, 256→1024 at
    /// 14×14 −6 to −8%, 28×28 −1 to −2%; 256→64 at 56×56 (11 calls) +8%
    /// when packed, so it is not.
    static let packedPanelCalls = 16

    /// Computes one task's `mc × nc` output block over all of K.
    private static func runTask(_ task: Int, tiling t: ConvTiling, view: InputView, packedWeights: UnsafePointer<Float>,
                                bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                                scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?, relu: Bool,
                                output: UnsafeMutablePointer<Float>, scratch: TaskScratch, wide: Bool) {
        let mr = GEMMMicrokernel6x16.mr, nr = GEMMMicrokernel6x16.nr
        let blocksPerGroup = t.mBlocks * t.nBlocks
        let group = task / blocksPerGroup
        // Pixel blocks outermost: a worker's contiguous share of the tasks
        // (`parallelTasks`) is a band of pixels across all channels.
        let nBlock = task % blocksPerGroup / t.mBlocks
        let mBlock = task % t.mBlocks
        let m0 = mBlock * t.mc, mLen = min(t.mc, t.m - m0)
        let n0 = nBlock * t.nc, nLen = min(t.nc, t.n - n0)
        let ldc = t.pixels
        let wv = t.virtualWidth, outW = t.geometry.outW
        let groupOut = output + group * t.m * ldc
        let groupResidual = residual.map { $0 + group * t.m * ldc }
        let groupBias = bias.map { $0 + group * t.m }
        let groupScaleShift = scaleShift.map { (scale: $0.scale + group * t.m, shift: $0.shift + group * t.m) }
        let groupA = packedWeights + group * ConvTiling.ceilDiv(t.m, mr) * t.k * mr
        let groupView = view.forGroup(group, channels: t.geometry.inChannels / t.geometry.groups)
        let tile = scratch.tile
        // Wide groups read B from the packed block (`packedPanelCalls`);
        // it already holds this task's pixels if the worker's last task
        // packed them.
        let blockSource = groupView.base + n0
        let packsBlock = wide && groupView.offsets == nil && mLen >= Self.packedPanelCalls * mr
            && nLen >= GEMMMicrokernel6x64.panels * nr
        let blockReady = packsBlock && scratch.packed.pointee == blockSource

        var k0 = 0
        while k0 < t.k {
            let kLen = min(t.kc, t.k - k0)
            // Bias and residual go into the first K block, so the residual is read
            // (element by element) before that element of the output is first
            // written: the output may alias its residual (in-place add).
            let accumulate = k0 > 0
            let last = k0 + kLen == t.k
            var jp = 0
            while jp * nr < nLen {
                let col = n0 + jp * nr, cols = min(nr, t.n - col)
                if wide && (jp + GEMMMicrokernel6x64.panels) * nr <= nLen {
                    if let offsets = groupView.offsets {
                        wideIndirectColumns(col: col, n0: n0, k0: k0, kLen: kLen, m0: m0, mLen: mLen, tiling: t,
                                            b: groupView.base, offsets: offsets, a: groupA, tile: tile, output: groupOut,
                                            bias: groupBias, residual: groupResidual, scaleShift: groupScaleShift,
                                            relu: relu)
                    } else {
                        // K block k0 of the column groups at k0 · nc, each kLen × 64 floats.
                        let packed = packsBlock ? scratch.block + (k0 * t.nc + (col - n0) * kLen) : nil
                        if let packed, !blockReady {
                            for p in 0..<GEMMMicrokernel6x64.panels {
                                groupView.packPanel(kStart: k0, kCount: kLen, nStart: col + p * nr, cols: nr,
                                                    into: packed + p * kLen * nr)
                            }
                        }
                        wideColumns(col: col, k0: k0, kLen: kLen, m0: m0, mLen: mLen, tiling: t, view: groupView,
                                    packed: packed.map { UnsafePointer($0) }, a: groupA, tile: tile, output: groupOut,
                                    bias: groupBias, residual: groupResidual, scaleShift: groupScaleShift, relu: relu)
                    }
                    jp += GEMMMicrokernel6x64.panels
                    continue
                }
                // B in place: indirect, or a flat row-major panel. A flat panel
                // is packed when it is partial (reading it would overrun the
                // input) or serves many calls (`packedPanelCalls`).
                var b = groupView.base + col
                var ldb = nr
                if groupView.offsets == nil {
                    if cols == nr && mLen < Self.packedPanelCalls * mr {
                        b = groupView.base + (k0 * groupView.plane + col)
                        ldb = groupView.plane
                    } else {
                        groupView.packPanel(kStart: k0, kCount: kLen, nStart: col, cols: cols, into: scratch.panel)
                        b = UnsafePointer(scratch.panel)
                    }
                }
                var ip = 0
                while ip * mr < mLen {
                    let row = m0 + ip * mr, rows = min(mr, t.m - row)
                    let a = groupA + (row * t.k + k0 * mr)
                    let rowBias = accumulate ? nil : groupBias.map { $0 + row }
                    let rowScaleShift = last ? groupScaleShift.map { (scale: $0.scale + row, shift: $0.shift + row) } : nil
                    let ow = col % wv
                    if let offsets = groupView.offsets, t.k == kLen, rows == mr, cols == nr, ow + nr <= outW {
                        // Indirect, one K block, all sixteen virtual pixels in one
                        // output row: straight into the output, epilogue fused.
                        let pixel = col / wv * outW + ow
                        let epilogue = GEMMMicrokernel6x16.Epilogue(
                            accumulate: false, bias: rowBias, residual: groupResidual.map { $0 + row * ldc + pixel },
                            scaleShift: rowScaleShift, relu: relu)
                        GEMMMicrokernel6x16.runIndirect(k: kLen, a: a, b: b, offsets: offsets, c: groupOut + row * ldc + pixel,
                                                        ldc: ldc, epilogue: epilogue)
                    } else if let offsets = groupView.offsets {
                        // Indirect: accumulate in the virtual C block, scatter once at the end.
                        let vc = tile + mr * nr + (row - m0) * t.nc + (col - n0)
                        virtualTile(k: kLen, a: a, b: b, offsets: offsets + k0, rows: rows, c: vc, ldc: t.nc,
                                    accumulate: accumulate)
                        if last {
                            scatter(vc, ldv: t.nc, rows: rows, col: col, cols: cols, virtualWidth: wv, outW: outW,
                                    bias: groupBias.map { $0 + row }, residual: groupResidual.map { $0 + row * ldc },
                                    scaleShift: rowScaleShift, relu: relu, output: groupOut + row * ldc, ldc: ldc)
                        }
                    } else if rows == mr && cols == nr {
                        let c = groupOut + row * ldc + col
                        let epilogue = GEMMMicrokernel6x16.Epilogue(
                            accumulate: accumulate, bias: rowBias,
                            residual: accumulate ? nil : groupResidual.map { $0 + row * ldc + col },
                            scaleShift: rowScaleShift, relu: last && relu)
                        GEMMMicrokernel6x16.run(k: kLen, a: a, b: b, ldb: ldb, c: c, ldc: ldc, epilogue: epilogue)
                    } else {
                        edgeTile(k: kLen, a: a, b: b, ldb: ldb, rows: rows, cols: cols, tile: tile,
                                 c: groupOut + row * ldc + col, ldc: ldc, accumulate: accumulate, bias: rowBias,
                                 residual: accumulate ? nil : groupResidual.map { $0 + row * ldc + col },
                                 scaleShift: rowScaleShift, relu: last && relu)
                    }
                    ip += 1
                }
                jp += 1
            }
            k0 += kLen
        }
        if packsBlock { scratch.packed.pointee = blockSource }
    }

    /// One 6×16 tile through the offset table into the virtual C block:
    /// raw sums, added to it when `accumulate` is set; at most four rows
    /// skip the padding rows.
    @inline(__always)
    private static func virtualTile(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, offsets: UnsafePointer<Int32>,
                                    rows: Int, c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool) {
        let epilogue = GEMMMicrokernel6x16.Epilogue(accumulate: accumulate)
        if rows > 4 {
            GEMMMicrokernel6x16.runIndirect(k: k, a: a, b: b, offsets: offsets, c: c, ldc: ldc, epilogue: epilogue)
        } else {
            GEMMMicrokernel6x16.runIndirect(GEMMMicrokernel6x16.FourRows.self, k: k, a: a, b: b, offsets: offsets, c: c,
                                            ldc: ldc, epilogue: epilogue)
        }
    }

    /// A tile of at most six rows and sixteen columns through `tile`: the
    /// 6×16 microkernel's sums (its left half for at most eight columns),
    /// then the epilogue element by element (in the microkernel's order)
    /// into the `rows × cols` corner of `c`.
    @inline(__always)
    private static func edgeTile(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int, rows: Int, cols: Int,
                                 tile: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
                                 accumulate: Bool, bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                                 scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?, relu: Bool) {
        let nr = GEMMMicrokernel6x16.nr
        if cols <= nr / 2 {
            // A 14×14 map's last four pixels (196 = 12·16 + 4): half the FMAs.
            // Measured, 256→1024 at 14×14: 0.965–0.985 per step.
            GEMMMicrokernel6x16.runHalf(k: k, a: a, b: b, ldb: ldb, c: tile, ldc: nr)
        } else if rows > 4 {
            GEMMMicrokernel6x16.run(k: k, a: a, b: b, ldb: ldb, c: tile, ldc: nr, epilogue: .none)
        } else {
            GEMMMicrokernel6x16.run(GEMMMicrokernel6x16.FourRows.self, k: k, a: a, b: b, ldb: ldb, c: tile, ldc: nr,
                                    epilogue: .none)
        }
        for r in 0..<rows {
            for j in 0..<cols {
                var v = tile[r * nr + j]
                if accumulate { v += c[r * ldc + j] }
                if let bias { v += bias[r] }
                if let residual { v += residual[r * ldc + j] }
                if let (scale, shift) = scaleShift { v = v * scale[r] + shift[r] }
                // As the microkernels' `clampedAtZero`: anything with the sign bit set (−0, a negative NaN) becomes 0.
                if relu && v.sign == .minus { v = 0 }
                c[r * ldc + j] = v
            }
        }
    }

    /// The task's A panels times four whole flat B panels (64 pixels from
    /// `col`) with the AVX-512 kernel: B read in place or from `packed`,
    /// its four panels one after another; an A panel of fewer than six
    /// rows stores only those.
    @inline(__always)
    private static func wideColumns(col: Int, k0: Int, kLen: Int, m0: Int, mLen: Int, tiling t: ConvTiling,
                                    view: InputView, packed: UnsafePointer<Float>?, a groupA: UnsafePointer<Float>,
                                    tile: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
                                    bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                                    scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?, relu: Bool) {
        let (mr, nr) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr)
        let ldc = t.pixels
        let accumulate = k0 > 0, last = k0 + kLen == t.k
        let (b, ldb, panelStride) = packed.map { ($0, nr, kLen * nr) } ?? (view.base + (k0 * view.plane + col), view.plane, nr)
        var row = m0
        while row < m0 + mLen {
            let rows = min(mr, t.m - row)
            let a = groupA + (row * t.k + k0 * mr)
            let rowBias = accumulate ? nil : bias.map { $0 + row }
            let rowScaleShift = last ? scaleShift.map { (scale: $0.scale + row, shift: $0.shift + row) } : nil
            let rowResidual = accumulate ? nil : residual.map { $0 + row * ldc + col }
            let c = output + row * ldc + col
            let epilogue = TileEpilogue(accumulate: accumulate, bias: rowBias, residual: rowResidual,
                                        scaleShift: rowScaleShift, relu: last && relu)
            if rows == mr {
                // The next panel's block of C (and residual) into L1 meanwhile.
                let ahead = row + mr < m0 + mLen
                    ? TilePrefetch(c: c + mr * ldc, residual: rowResidual.map { $0 + mr * ldc }, ldc: ldc) : .none
                GEMMMicrokernel6x64.run(k: kLen, a: a, b: b, ldb: ldb, panelStride: panelStride, c: c, ldc: ldc,
                                        cPanelStride: nr, epilogue: epilogue, ahead: ahead)
            } else {
                GEMMMicrokernel6x64.runPartial(rows: rows, k: kLen, a: a, b: b, ldb: ldb, panelStride: panelStride, c: c,
                                               ldc: ldc, cPanelStride: nr, epilogue: epilogue)
            }
            row += mr
        }
    }

    /// The task's A panels times 64 virtual pixels from `col` through the
    /// offset table with the AVX-512 kernel, as the 6×16 path does it: one
    /// K block whose 64 pixels lie in one output row goes straight into the
    /// output, epilogue fused; otherwise the sums go into the virtual C
    /// block (an A panel of fewer than six rows panel by panel), scattered
    /// after the last K block.
    @inline(__always)
    private static func wideIndirectColumns(col: Int, n0: Int, k0: Int, kLen: Int, m0: Int, mLen: Int, tiling t: ConvTiling,
                                            b: UnsafePointer<Float>, offsets: UnsafePointer<Int32>,
                                            a groupA: UnsafePointer<Float>, tile: UnsafeMutablePointer<Float>,
                                            output: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>?,
                                            residual: UnsafePointer<Float>?,
                                            scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?,
                                            relu: Bool) {
        let (mr, nr, panels) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr, GEMMMicrokernel6x64.panels)
        let (ldc, wv, outW) = (t.pixels, t.virtualWidth, t.geometry.outW)
        let accumulate = k0 > 0, last = k0 + kLen == t.k
        let ow = col % wv
        var row = m0
        while row < m0 + mLen {
            let rows = min(mr, t.m - row)
            let a = groupA + (row * t.k + k0 * mr)
            let rowScaleShift = last ? scaleShift.map { (scale: $0.scale + row, shift: $0.shift + row) } : nil
            if t.k == kLen && rows == mr && ow + panels * nr <= outW {
                let pixel = col / wv * outW + ow
                let epilogue = TileEpilogue(accumulate: false, bias: bias.map { $0 + row },
                                            residual: residual.map { $0 + row * ldc + pixel }, scaleShift: rowScaleShift,
                                            relu: relu)
                let c = output + row * ldc + pixel
                let ahead = row + mr < m0 + mLen
                    ? TilePrefetch(c: c + mr * ldc, residual: residual.map { $0 + (row + mr) * ldc + pixel }, ldc: ldc)
                    : .none
                GEMMMicrokernel6x64.runIndirect(k: kLen, a: a, b: b + col, offsets: offsets, c: c, ldc: ldc,
                                                cPanelStride: nr, epilogue: epilogue, ahead: ahead)
            } else {
                let vc = tile + mr * nr + (row - m0) * t.nc + (col - n0)
                if rows == mr {
                    GEMMMicrokernel6x64.runIndirect(k: kLen, a: a, b: b + col, offsets: offsets + k0, c: vc, ldc: t.nc,
                                                    cPanelStride: nr, epilogue: TileEpilogue(accumulate: accumulate))
                } else {
                    for p in 0..<panels {
                        virtualTile(k: kLen, a: a, b: b + col + p * nr, offsets: offsets + k0, rows: rows, c: vc + p * nr,
                                    ldc: t.nc, accumulate: accumulate)
                    }
                }
                if last {
                    scatter(vc, ldv: t.nc, rows: rows, col: col, cols: panels * nr, virtualWidth: wv, outW: outW,
                            bias: bias.map { $0 + row }, residual: residual.map { $0 + row * ldc },
                            scaleShift: rowScaleShift, relu: relu, output: output + row * ldc, ldc: ldc)
                }
            }
            row += mr
        }
    }

    /// Writes a finished virtual C tile (`rows` × virtual pixels `col..<col+cols`)
    /// to the real output with the epilogue (+ bias, + residual, scale/shift,
    /// ReLU), skipping the virtual pixels past each output row. Each residual
    /// element is read just before the same output element is written (the
    /// two may alias).
    @inline(__always)
    private static func scatter(_ vc: UnsafeMutablePointer<Float>, ldv: Int, rows: Int, col: Int, cols: Int,
                                virtualWidth wv: Int, outW: Int, bias: UnsafePointer<Float>?,
                                residual: UnsafePointer<Float>?,
                                scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?, relu: Bool,
                                output: UnsafeMutablePointer<Float>, ldc: Int) {
        var j = 0
        while j < cols {
            let ow = (col + j) % wv
            if ow >= outW {
                j += wv - ow
                continue
            }
            let run = min(cols - j, outW - ow)
            let pixel = (col + j) / wv * outW + ow
            for r in 0..<rows {
                let src = vc + (r * ldv + j), dst = output + (r * ldc + pixel)
                let b = bias?[r] ?? 0
                let (s, t) = scaleShift.map { ($0.scale[r], $0.shift[r]) } ?? (1, 0)
                let floor: Float = relu ? 0 : -.infinity
                if let residual {
                    let res = residual + (r * ldc + pixel)
                    for q in 0..<run { dst[q] = max((src[q] + b + res[q]) * s + t, floor) }
                } else {
                    for q in 0..<run { dst[q] = max((src[q] + b) * s + t, floor) }
                }
            }
            j += run
        }
    }

    /// Makes the image's input readable by `InputView`: as is (pointwise), a
    /// subsampled copy (strided 1x1), or a zero-padded copy (everything else).
    static func prepareInput(_ image: UnsafePointer<Float>, tiling t: ConvTiling,
                                     copy: UnsafeMutablePointer<Float>, threads: Int) -> InputView {
        let g = t.geometry
        if t.pointwise {
            return InputView(base: image, plane: g.inH * g.inW)
        }
        let inPlane = g.inH * g.inW
        if t.subsampled {
            return InputView.subsampled(image, geometry: g, into: copy, threads: threads)
        }
        // The polyphase copy: phase (ph, pw) of channel c holds the padded
        // input's rows ph, ph+s, … and columns pw, pw+s, …, so tap (dh, dw) of a
        // stride-s convolution is a stride-1 shift of phase (dh mod s, dw mod s).
        let (sh, sw) = (g.strideH, g.strideW)
        let (hq, wq) = (t.phaseH, t.phaseW)
        let phasePlane = hq * wq, channelPlane = sh * sw * phasePlane
        let base = copy + ConvTiling.slack
        copy.update(repeating: 0, count: ConvTiling.slack)
        (base + g.inChannels * channelPlane).update(repeating: 0, count: ConvTiling.slack)
        parallelFor(g.inChannels, threads: threads) { c in
            let src = image + c * inPlane
            for paddedRow in 0..<(hq * sh) {
                let ih = paddedRow - g.padTop
                for pw in 0..<sw {
                    let dst = base + (((c * sh + paddedRow % sh) * sw + pw) * phasePlane + paddedRow / sh * wq)
                    if ih < 0 || ih >= g.inH {
                        dst.update(repeating: 0, count: wq)
                    } else if sw == 1 {
                        let left = min(g.padLeft, wq), count = max(min(g.inW, wq - left), 0)
                        dst.update(repeating: 0, count: left)
                        (dst + left).update(from: src + ih * g.inW, count: count)
                        (dst + left + count).update(repeating: 0, count: wq - left - count)
                    } else {
                        StridedRow.copy(src + ih * g.inW, width: g.inW, stride: sw, offset: pw - g.padLeft, count: wq,
                                        into: dst)
                    }
                }
            }
        }
        // After the copy and its trailing slack: B row k's offset from a virtual pixel.
        let table = UnsafeMutableRawPointer(base + g.inChannels * channelPlane + ConvTiling.slack)
            .bindMemory(to: Int32.self, capacity: t.k)
        let taps = g.kernelH * g.kernelW
        for k in 0..<t.k {
            let channel = k / taps
            let dh = k % taps / g.kernelW * g.dilationH, dw = k % g.kernelW * g.dilationW
            let phase = (channel * sh + dh % sh) * sw + dw % sw
            table[k] = Int32(truncatingIfNeeded: phase * phasePlane + dh / sh * wq + dw / sw)
        }
        return InputView(base: base, plane: channelPlane, offsets: UnsafePointer(table))
    }
}
