import RuntimeAVX512
import RuntimeIntrinsics

/// Winograd F(m×m, 3×3) convolution, m = 2 or 4 (`WinogradTile`), for
/// stride-1, dilation-1, ungrouped 3x3 convolutions: α² = (m+2)² GEMMs over
/// tiles instead of one over pixels, 2.25× (F(2×2)) or 4× (F(4×4)) fewer
/// multiplications (Lavin & Gray 2016).
///
/// Tasks (see `WinogradBlocking`: a block of tile rows × a range of output
/// channels) each work in their own scratch, channel by channel, then chunk
/// by chunk of output channels (a map that is a single block shares one V,
/// which all workers transform first, in channel ranges):
/// 1. the block's input rows are staged zero-padded, each split into its m
///    phases, and V = Bᵀ d B is taken for every tile of the block, stored
///    as α² row-major matrices `V[ξ][cin][tile]`, eight tiles per vector
///    (two tile rows per vector on maps four tiles wide: 14×14 with F(4×4),
///    7×7 with F(2×2));
/// 2. `M[ξ] = U[ξ] · V[ξ]` for each of the α² positions ξ, U[ξ] the
///    transformed weights (G g Gᵀ in float64 at compile time) in
///    `GEMMMicrokernel6x16`'s 6-row panels (with AVX-512, four panels at a
///    time through `GEMMMicrokernel6x64.run24x16`);
/// 3. y = Aᵀ M A per tile, then + bias, + residual, scale/shift, ReLU,
///    stored as the tile's m×m outputs.
///
/// Staging inside the task, not in a copy of the whole input before it,
/// keeps the padded rows in the L1 of the core that transforms them: a
/// shared copy was read by the other core right after this one wrote it,
/// which cost up to half the convolution when the host placed the two
/// vCPUs far apart.
///
/// ```
///   packed weights: ξ-major, then 6-row panels over Cout, k = cin
///     [ξ=0: panel 0 (k-major 6 rows) | panel 1 | …][ξ=1: …]…[ξ=α²−1: …]
///   scratch: [shared V] | per worker: [V (α² × Cin × row)] | M (α² × chunk × row) | temporaries | staged rows | line
/// ```
///
/// No reduction is split, so results are bitwise identical for any thread
/// count. Each residual element is read just before the same output
/// element is written (the two may alias); the input must not alias the
/// output (`PlanValidator` rejects that). Lanes past a block's last tile
/// compute on stale scratch and are never stored.
public enum WinogradConvolution {
    /// Whether the geometry is a 3x3, stride-1, dilation-1, ungrouped convolution.
    public static func supports(_ g: ConvGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1
            && g.dilationW == 1 && g.groups == 1
    }

    /// Floats `packWeights` returns.
    public static func packedWeightCount(geometry g: ConvGeometry, tile: WinogradTile) -> Int {
        tile.alpha * tile.alpha * roundedChannels(g) * g.inChannels
    }

    /// Transforms OIHW weights (U = G g Gᵀ in float64, rounded once) and packs them.
    public static func packWeights(_ oihw: [Float], geometry g: ConvGeometry, tile: WinogradTile) -> [Float] {
        let mr = GEMMMicrokernel6x16.mr
        let (cout, cin, alpha) = (g.outChannels, g.inChannels, tile.alpha)
        let m = roundedChannels(g)
        let gm = tile.g
        var packed = [Float](repeating: 0, count: packedWeightCount(geometry: g, tile: tile))
        for o in 0..<cout {
            for i in 0..<cin {
                let w = (0..<9).map { Double(oihw[(o * cin + i) * 9 + $0]) }
                for a in 0..<alpha {
                    for b in 0..<alpha {
                        var u = 0.0
                        for r in 0..<3 { for s in 0..<3 { u += gm[a][r] * w[r * 3 + s] * gm[b][s] } }
                        let xi = a * alpha + b
                        packed[xi * m * cin + (o / mr) * cin * mr + i * mr + o % mr] = Float(u)
                    }
                }
            }
        }
        return packed
    }

    /// Floats of scratch `run` needs with `threads` threads.
    public static func scratchFloats(geometry g: ConvGeometry, tile: WinogradTile, threads: Int) -> Int {
        WinogradBlocking(geometry: g, tile: tile, threads: threads).scratchFloats
    }

    /// `output = relu?((conv(input) + bias + residual) · scale + shift)` for
    /// NCHW tensors; `scratch` holds `scratchFloats(geometry:tile:threads:)` floats.
    public static func run(geometry g: ConvGeometry, tile: WinogradTile, packedWeights: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, input: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                           scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)? = nil, relu: Bool,
                           output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int,
                           isa: VectorISA = .host) {
        run(WinogradBlocking(geometry: g, tile: tile, threads: threads), packedWeights: packedWeights, bias: bias,
            input: input, residual: residual, scaleShift: scaleShift, relu: relu, output: output, scratch: scratch,
            isa: isa)
    }

    /// `run` with the blocking already chosen (`Executor` chooses each
    /// step's once, at load: the choice models every candidate schedule).
    static func run(_ b: WinogradBlocking, packedWeights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                    input: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                    scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?, relu: Bool,
                    output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, isa: VectorISA = .host) {
        let work = Work(b: b, weights: packedWeights, input: input, residual: residual, output: output,
                        epilogue: Epilogue(bias: bias, scaleShift: scaleShift, relu: relu), wide: isa == .avx512)
        switch b.tile {
        case .f2x2: work.run(WinogradF2.self, scratch: scratch)
        case .f4x4: work.run(WinogradF4.self, scratch: scratch)
        }
    }

    static func roundedChannels(_ g: ConvGeometry) -> Int {
        (g.outChannels + GEMMMicrokernel6x16.mr - 1) / GEMMMicrokernel6x16.mr * GEMMMicrokernel6x16.mr
    }

    /// What happens to each output after the transform.
    struct Epilogue {
        var bias: UnsafePointer<Float>?
        var scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?
        var relu: Bool
    }

    /// One worker's scratch (`WinogradBlocking.workerFloats`).
    struct TaskScratch {
        /// V and M, α² matrices each.
        let v: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>
        /// The tile transforms' temporaries, 64-byte aligned.
        let registers: UnsafeMutablePointer<SIMD8<Float>>
        /// One channel's input rows for the block, zero-padded and in phases.
        let staged: UnsafeMutablePointer<Float>
        /// One zero-padded input row, before it is split into phases.
        let line: UnsafeMutablePointer<Float>

        /// Worker `worker`'s part of `scratch` (`WinogradBlocking.scratchFloats`
        /// floats): the shared V first, if there is one.
        init(_ b: WinogradBlocking, scratch: UnsafeMutablePointer<Float>, worker: Int) {
            let own = scratch + (b.sharesInput ? b.vFloats : 0) + worker * b.workerFloats
            m = own + (b.sharesInput ? 0 : b.vFloats)
            v = b.sharesInput ? scratch : own
            registers = UnsafeMutableRawPointer(m + b.mFloats).alignedUp(toMultipleOf: 64)
                .bindMemory(to: SIMD8<Float>.self, capacity: b.registerVectors)
            staged = UnsafeMutableRawPointer(registers + b.registerVectors).assumingMemoryBound(to: Float.self)
            line = staged + b.stagedFloats
        }
    }

    /// Everything a task reads and writes besides its own scratch.
    struct Work {
        let b: WinogradBlocking
        let weights: UnsafePointer<Float>
        let input: UnsafePointer<Float>
        let residual: UnsafePointer<Float>?
        let output: UnsafeMutablePointer<Float>
        let epilogue: Epilogue
        /// Whether groups of four U panels run the AVX-512 24×16 kernel.
        let wide: Bool

        /// The whole convolution: a shared V's channel ranges first, if it
        /// has one, then the tasks, numbered by image, then tile rows, so a
        /// worker's share is a band of rows.
        func run<T: WinogradTransform>(_: T.Type, scratch: UnsafeMutablePointer<Float>) {
            if b.sharesInput {
                parallelTasks(b.inputParts, workers: b.workers) { worker, part in
                    transformInput(T.self, channels: b.channels(ofInputPart: part), image: 0, firstRow: 0, rows: b.tilesH,
                                   TaskScratch(b, scratch: scratch, worker: worker))
                }
            }
            parallelTasks(b.tasks, workers: b.workers) { worker, task in
                run(T.self, task: task, TaskScratch(b, scratch: scratch, worker: worker))
            }
        }

        /// One task: stage and transform in (unless V is shared and done),
        /// multiply and transform out chunk by chunk.
        func run<T: WinogradTransform>(_: T.Type, task: Int, _ s: TaskScratch) {
            let split = task % b.panelSplits
            let block = task / b.panelSplits % b.blocksPerImage
            let image = task / (b.panelSplits * b.blocksPerImage)
            let firstRow = block * b.rowsPerBlock
            let rows = min(b.rowsPerBlock, b.tilesH - firstRow)
            let channels = b.channels(ofSplit: split)
            if !b.sharesInput {
                transformInput(T.self, channels: 0..<b.geometry.inChannels, image: image, firstRow: firstRow, rows: rows, s)
            }
            for start in stride(from: channels.lowerBound, to: channels.upperBound, by: b.chunk) {
                let chunk = start..<min(start + b.chunk, channels.upperBound)
                multiply(alpha: T.m + 2, chunk: chunk, tiles: rows * b.tilesW, v: s.v, m: s.m)
                transformOutput(T.self, image: image, firstRow: firstRow, rows: rows,
                                channels: chunk.lowerBound..<min(chunk.upperBound, b.geometry.outChannels), m: s.m,
                                registers: s.registers)
            }
        }

        /// 1: per input channel of `channels`, stage the block's rows, then
        /// V = Bᵀ d B for its tiles, eight at a time. A row's last eight-lane
        /// store runs into the next row, written after it; past the last
        /// channel's row, into the plane's spare line, or, when another task
        /// owns the next channel, only up to the end of the row.
        @inline(__always)
        func transformInput<T: WinogradTransform>(_: T.Type, channels: Range<Int>, image: Int, firstRow: Int, rows: Int,
                                                  _ s: TaskScratch) {
            let g = b.geometry
            let tm = T.m
            let (rowBytes, phaseBytes, planeBytes) = (b.paddedW * 4, b.phaseW * 4, b.vPlane * 4)
            s.line.update(repeating: 0, count: b.paddedW)
            for c in channels {
                let ownsNext = c + 1 < channels.upperBound || c + 1 == g.inChannels
                stage(T.self, channel: inputPlane(image: image, channel: c), firstRow: tm * firstRow - g.padTop, rows: tm * rows + 2, s)
                var r = 0
                while r < rows {
                    let top = UnsafeRawPointer(s.staged) + tm * r * rowBytes
                    if b.tilesW == 4 && r + 1 < rows {
                        // Four tiles a row: rows r and r + 1 fill the eight lanes (and
                        // lie side by side in V), rather than four lanes left idle twice.
                        let target = UnsafeMutableRawPointer(s.v + c * b.rowLength + r * 4)
                        let patch = { (i: Int, j: Int) in
                            let at = i * rowBytes + j % tm * phaseBytes + j / tm * 4
                            return SIMD8(lowHalf: top.loadUnaligned(fromByteOffset: at, as: SIMD4<Float>.self),
                                         highHalf: top.loadUnaligned(fromByteOffset: at + tm * rowBytes, as: SIMD4<Float>.self))
                        }
                        T.inputTile(patch, { xi, value in
                            target.storeBytes(of: value, toByteOffset: xi * planeBytes, as: SIMD8<Float>.self)
                        }, work: s.registers)
                        r += 2
                        continue
                    }
                    for tx in stride(from: 0, to: b.tilesW, by: 8) {
                        // Patch column j of the eight tiles: phase j mod m, shifted by j / m.
                        let corner = top + tx * 4
                        let target = UnsafeMutableRawPointer(s.v + c * b.rowLength + r * b.tilesW + tx)
                        let patch = { (i: Int, j: Int) in
                            corner.loadUnaligned(fromByteOffset: i * rowBytes + j % tm * phaseBytes + j / tm * 4,
                                                 as: SIMD8<Float>.self)
                        }
                        let room = b.rowLength - (r * b.tilesW + tx)
                        if ownsNext || room >= 8 {
                            T.inputTile(patch, { xi, value in
                                target.storeBytes(of: value, toByteOffset: xi * planeBytes, as: SIMD8<Float>.self)
                            }, work: s.registers)
                        } else {
                            T.inputTile(patch, { xi, value in
                                for lane in 0..<room {
                                    target.storeBytes(of: value[lane], toByteOffset: xi * planeBytes + lane * 4, as: Float.self)
                                }
                            }, work: s.registers)
                        }
                    }
                    r += 1
                }
            }
        }

        /// Input plane `channel` of `image`.
        private func inputPlane(image: Int, channel: Int) -> UnsafePointer<Float> {
            input + (image * b.geometry.inChannels + channel) * b.geometry.inH * b.geometry.inW
        }

        /// Input rows `firstRow ..< firstRow + rows` of one channel (rows
        /// outside the image are zeros) into `s.staged`, each zero-padded
        /// through `s.line` (whose padding stays zero) and split into its m
        /// phases: phase q of row i at `staged[(i·m + q)·phaseW …]`.
        @inline(__always)
        private func stage<T: WinogradTransform>(_: T.Type, channel: UnsafePointer<Float>, firstRow: Int, rows: Int,
                                                 _ s: TaskScratch) {
            let g = b.geometry
            let rowFloats = b.paddedW
            let (first, count) = (min(g.padLeft, rowFloats), max(0, min(g.inW, rowFloats - g.padLeft)))
            for i in 0..<rows {
                let ih = firstRow + i
                let out = UnsafeMutableRawPointer(s.staged + i * rowFloats)
                guard ih >= 0, ih < g.inH, count > 0 else {
                    out.initializeMemory(as: Float.self, repeating: 0, count: rowFloats)
                    continue
                }
                (s.line + first).update(from: channel + ih * g.inW, count: count)
                for column in stride(from: 0, to: b.phaseW, by: 8) {
                    T.loadTileRow(UnsafeRawPointer(s.line + T.m * column), into: s.registers)
                    for q in 0..<T.m {
                        out.storeBytes(of: s.registers[q], toByteOffset: (q * b.phaseW + column) * 4,
                                       as: SIMD8<Float>.self)
                    }
                }
            }
        }

        /// 2: `M[ξ][chunk] = U[ξ][chunk] · V[ξ]` over the block's tiles, U
        /// panel by panel, or four panels at a time (`wide`) while none of
        /// them is a last panel of at most four channels.
        func multiply(alpha: Int, chunk: Range<Int>, tiles: Int, v: UnsafeMutablePointer<Float>,
                      m: UnsafeMutablePointer<Float>) {
            let (mr, group) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x64.panels)
            let k = b.geometry.inChannels
            let rounded = WinogradConvolution.roundedChannels(b.geometry)
            for xi in 0..<alpha * alpha {
                let u = weights + xi * rounded * k
                let vx = UnsafePointer(v + xi * b.vPlane)
                let mx = m + xi * b.mPlane
                var row = chunk.lowerBound
                while row < chunk.upperBound {
                    // The next U panels into L2 while these run: at batch 1 a
                    // panel serves one or a few calls, so U streams from DRAM
                    // (layer 4's F(2×2): 16.8 MB per convolution). Measured on
                    // two cores, weights cold: 3x3 512 at 7x7 1.23–1.51 → 0.82–
                    // 1.03 ms, 256 at 14x14 0.79–0.99 → 0.59–0.81 ms. A burst of
                    // prefetches before the call gained a third of that.
                    let panels = wide && row + group * mr <= chunk.upperBound
                        && b.geometry.outChannels - (row + (group - 1) * mr) > 4 ? group : 1
                    let after = row + panels * mr
                    let next = after < chunk.upperBound ? u + after * k
                        : (xi + 1 < alpha * alpha ? u + rounded * k + chunk.lowerBound * k : nil)
                    let c = mx + (row - chunk.lowerBound) * b.rowLength
                    if panels == group {
                        multiplyWide(k: k, a: u + row * k, v: vx, c: c, tiles: tiles, next: next)
                    } else {
                        multiplyPanel(k: k, a: u + row * k, v: vx, c: c, tiles: tiles, fourRows: b.geometry.outChannels - row <= 4,
                                      next: next)
                    }
                    row = after
                }
            }
        }

        /// One U panel times the block's V columns, 16 tiles per call (the
        /// last eight or fewer with `runHalf`); the first call prefetches
        /// the panel after it.
        @inline(__always)
        private func multiplyPanel(k: Int, a: UnsafePointer<Float>, v: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                                   tiles: Int, fourRows: Bool, next: UnsafePointer<Float>?) {
            let (mr, nr) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr)
            var ahead = next.map { SpreadPrefetch($0, floats: mr * k, steps: k / 2, into: .l2) } ?? .none
            var column = 0
            while tiles - column > nr / 2 {
                // A last panel of at most four channels (64, 256: four of six) skips its padding rows.
                if fourRows {
                    GEMMMicrokernel6x16.run(GEMMMicrokernel6x16.FourRows.self, k: k, a: a, b: v + column, ldb: b.rowLength,
                                            c: c + column, ldc: b.rowLength, epilogue: .none, prefetching: &ahead)
                } else {
                    GEMMMicrokernel6x16.run(k: k, a: a, b: v + column, ldb: b.rowLength, c: c + column, ldc: b.rowLength,
                                            epilogue: .none, prefetching: &ahead)
                }
                column += nr
            }
            if column < tiles {
                GEMMMicrokernel6x16.runHalf(k: k, a: a, b: v + column, ldb: b.rowLength, c: c + column, ldc: b.rowLength)
            }
        }

        /// Four U panels (24 output channels) with the AVX-512 24×16 kernel,
        /// 16 tiles per call (the last eight or fewer panel by panel with
        /// `runHalf`); the first call prefetches the next four panels.
        @inline(__always)
        private func multiplyWide(k: Int, a: UnsafePointer<Float>, v: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                                  tiles: Int, next: UnsafePointer<Float>?) {
            let (mr, nr, group) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr, GEMMMicrokernel6x64.panels)
            var ahead = next.map { SpreadPrefetch($0, floats: group * mr * k, steps: k / 2, into: .l2) } ?? .none
            var column = 0
            while tiles - column > nr / 2 {
                GEMMMicrokernel6x64.run24x16(k: k, a: a, aPanelStride: mr * k, b: v + column, ldb: b.rowLength,
                                             c: c + column, ldc: b.rowLength, prefetching: &ahead)
                column += nr
            }
            if column < tiles {
                for p in 0..<group {
                    GEMMMicrokernel6x16.runHalf(k: k, a: a + p * mr * k, b: v + column, ldb: b.rowLength,
                                                c: c + p * mr * b.rowLength + column, ldc: b.rowLength)
                }
            }
        }

        /// 3: y = Aᵀ M A for the block's tiles, eight at a time, then the epilogue.
        @inline(__always)
        func transformOutput<T: WinogradTransform>(_: T.Type, image: Int, firstRow: Int, rows: Int, channels: Range<Int>,
                                                   m: UnsafeMutablePointer<Float>,
                                                   registers: UnsafeMutablePointer<SIMD8<Float>>) {
            let g = b.geometry
            let tm = T.m
            let planeBytes = b.mPlane * 4
            let e = epilogue
            let y = registers, work = y + tm * tm
            // A row segment that ends past the output's right edge goes through here.
            let staging = UnsafeMutableRawPointer(work + tm * (tm + 2)).assumingMemoryBound(to: Float.self)
            for co in channels {
                let source = UnsafeRawPointer(m + (co - channels.lowerBound) * b.rowLength)
                let offset = (image * g.outChannels + co) * g.outH * g.outW
                let out = output + offset
                let res = residual.map { $0 + offset }
                let bias = SIMD8<Float>(repeating: e.bias?[co] ?? 0)
                let (scale, shift) = e.scaleShift.map { ($0.scale[co], $0.shift[co]) } ?? (1, 0)
                var r = 0
                while r < rows {
                    // Four tiles a row: rows r and r + 1 share the eight lanes, as
                    // the input transform laid them out (lanes 0–3, then 4–7).
                    let halves = b.tilesW == 4 && r + 1 < rows ? 2 : 1
                    let ty = firstRow + r
                    for tx in stride(from: 0, to: b.tilesW, by: 8) {
                        let first = source + (r * b.tilesW + tx) * 4
                        T.outputTile({ xi in first.loadUnaligned(fromByteOffset: xi * planeBytes, as: SIMD8<Float>.self) },
                                     into: y, work: work)
                        let lanes = 8 / halves
                        let count = min(lanes * tm, g.outW - tm * tx)
                        let whole = halves == 1 && count == 8 * tm
                        for i in 0..<tm {
                            if tm * ty + i >= g.outH { break }
                            let row = y + i * tm
                            // Output row of half h, and where its segment starts.
                            let at = { (h: Int) in (tm * (ty + h) + i) * g.outW + tm * tx }
                            let inside = { (h: Int) in tm * (ty + h) + i < g.outH }
                            for j in 0..<tm { row[j] += bias }
                            if let res {
                                if !whole {
                                    for h in 0..<halves where inside(h) {
                                        for q in 0..<count { staging[h * lanes * tm + q] = res[at(h) + q] }
                                    }
                                }
                                T.loadTileRow(UnsafeRawPointer(whole ? res + at(0) : UnsafePointer(staging)), into: work)
                                for j in 0..<tm { row[j] += work[j] }
                            }
                            for j in 0..<tm {
                                let value = row[j] * SIMD8(repeating: scale) + SIMD8(repeating: shift)
                                row[j] = e.relu ? value.clampedAtZero : value
                            }
                            if whole {
                                T.storeTileRow(row, to: UnsafeMutableRawPointer(out + at(0)))
                            } else {
                                T.storeTileRow(row, to: UnsafeMutableRawPointer(staging))
                                for h in 0..<halves where inside(h) {
                                    for q in 0..<count { out[at(h) + q] = staging[h * lanes * tm + q] }
                                }
                            }
                        }
                    }
                    r += halves
                }
            }
        }
    }
}
