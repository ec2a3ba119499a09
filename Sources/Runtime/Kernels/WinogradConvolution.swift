/// Winograd F(2×2, 3×3) convolution for stride-1, dilation-1, ungrouped 3x3
/// convolutions: 16 GEMMs of Cout × Cin × tiles instead of one of
/// Cout × 9·Cin × pixels, 2.25× fewer multiplications (Lavin & Gray 2016).
///
/// Per image, with T = ⌈outH/2⌉·⌈outW/2⌉ tiles of 2×2 outputs:
///
/// 1. Input transform: every 4×4 input patch d (stride 2, from a zero-padded
///    copy) becomes V = Bᵀ d B, stored as 16 row-major matrices
///    `V[ξ][cin][tile]` (eight tiles at a time, in vectors).
/// 2. For each of the 16 positions ξ: `M[ξ] = U[ξ] · V[ξ]`, U[ξ] the
///    transformed weights (Cout × Cin, G g Gᵀ computed in float64 at compile
///    time, packed in `GEMMMicrokernel6x16`'s 6-row panels), B read in place.
/// 3. Output transform: y = Aᵀ M A per tile, then + bias, + residual,
///    scale/shift, ReLU, stored as the tile's 2×2 outputs.
///
/// ```
///   packed weights: ξ-major, then 6-row panels over Cout, k = cin
///     [ξ=0: panel 0 (k-major 6 rows) | panel 1 | …][ξ=1: …]…[ξ=15: …]
///   scratch: padded input | V (16 × Cin × T) | M (16 × ⌈Cout/6⌉·6 × T) | per-worker tiles
/// ```
///
/// Work is split over input channels (step 1), over (ξ, channel panel, tile
/// panel) blocks (step 2) and over output channels (step 3); no reduction is
/// split, so results are bitwise identical for any thread count. Each
/// residual element is read just before the same output element is written
/// (the two may alias). `run` never reads `output` or `scratch` before
/// writing them.
public enum WinogradConvolution {
    /// Whether the geometry is a 3x3, stride-1, dilation-1, ungrouped convolution.
    public static func supports(_ g: ConvGeometry) -> Bool {
        g.kernelH == 3 && g.kernelW == 3 && g.strideH == 1 && g.strideW == 1 && g.dilationH == 1
            && g.dilationW == 1 && g.groups == 1
    }

    /// Floats `packWeights` returns.
    public static func packedWeightCount(geometry g: ConvGeometry) -> Int {
        16 * roundedChannels(g) * g.inChannels
    }

    /// Transforms OIHW weights (U = G g Gᵀ in float64, rounded once) and packs them.
    public static func packWeights(_ oihw: [Float], geometry g: ConvGeometry) -> [Float] {
        let mr = GEMMMicrokernel6x16.mr
        let (cout, cin) = (g.outChannels, g.inChannels)
        let m = roundedChannels(g)
        // G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]].
        let gm: [[Double]] = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        var packed = [Float](repeating: 0, count: packedWeightCount(geometry: g))
        for o in 0..<cout {
            for i in 0..<cin {
                let w = (0..<9).map { Double(oihw[(o * cin + i) * 9 + $0]) }
                for a in 0..<4 {
                    for b in 0..<4 {
                        var u = 0.0
                        for r in 0..<3 { for s in 0..<3 { u += gm[a][r] * w[r * 3 + s] * gm[b][s] } }
                        let xi = a * 4 + b
                        packed[xi * m * cin + (o / mr) * cin * mr + i * mr + o % mr] = Float(u)
                    }
                }
            }
        }
        return packed
    }

    /// Floats of scratch `run` needs with `threads` threads.
    public static func scratchFloats(geometry g: ConvGeometry, threads: Int) -> Int {
        let l = Layout(g, threads: threads)
        return l.workerOffset + l.workers * l.workerFloats
    }

    /// `output = relu?((conv(input) + bias + residual) · scale + shift)` for
    /// NCHW tensors; `scratch` holds `scratchFloats(geometry:threads:)` floats.
    public static func run(geometry g: ConvGeometry, packedWeights: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                           input: UnsafePointer<Float>, residual: UnsafePointer<Float>?,
                           scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)? = nil, relu: Bool,
                           output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, threads: Int) {
        let l = Layout(g, threads: threads)
        let epilogue = OutputEpilogue(bias: bias, scaleShift: scaleShift, relu: relu)
        for image in 0..<g.batch {
            let x = input + image * g.inChannels * g.inH * g.inW
            let y = output + image * g.outChannels * g.outH * g.outW
            let r = residual.map { $0 + image * g.outChannels * g.outH * g.outW }
            transformInput(x, l, scratch, threads: threads)
            multiply(l, packedWeights, scratch, threads: threads)
            transformOutput(l, scratch, residual: r, epilogue, output: y, threads: threads)
        }
    }

    static func roundedChannels(_ g: ConvGeometry) -> Int {
        (g.outChannels + GEMMMicrokernel6x16.mr - 1) / GEMMMicrokernel6x16.mr * GEMMMicrokernel6x16.mr
    }

    /// Sizes and scratch offsets for one geometry.
    struct Layout {
        let g: ConvGeometry
        /// Tile rows and columns, tiles per image.
        let tilesH: Int, tilesW: Int, tiles: Int
        /// Padded copy: rows per channel and row stride (room for eight-tile vector loads).
        let paddedH: Int, paddedW: Int
        /// Output channels rounded up to the microkernel's 6 rows.
        let m: Int
        let vOffset: Int, mOffset: Int, workerOffset: Int
        let workers: Int, workerFloats: Int

        init(_ g: ConvGeometry, threads: Int) {
            self.g = g
            tilesH = (g.outH + 1) / 2
            tilesW = (g.outW + 1) / 2
            tiles = tilesH * tilesW
            paddedH = 2 * tilesH + 2
            paddedW = 2 * ((tilesW + 7) / 8 * 8) + 16
            m = WinogradConvolution.roundedChannels(g)
            vOffset = g.inChannels * paddedH * paddedW
            mOffset = vOffset + 16 * g.inChannels * tiles
            workerOffset = mOffset + 16 * m * tiles
            workers = max(threads, 1)
            // A partial tile panel of B, and one 6×16 C tile.
            workerFloats = g.inChannels * GEMMMicrokernel6x16.nr + GEMMMicrokernel6x16.mr * GEMMMicrokernel6x16.nr
        }
    }

    /// Step 1: zero-padded copy, then V = Bᵀ d B for every tile, eight at a time.
    static func transformInput(_ x: UnsafePointer<Float>, _ l: Layout, _ scratch: UnsafeMutablePointer<Float>,
                               threads: Int) {
        let g = l.g
        parallelFor(g.inChannels, threads: threads) { c in
            let padded = scratch + c * l.paddedH * l.paddedW
            let source = x + c * g.inH * g.inW
            for row in 0..<l.paddedH {
                let line = padded + row * l.paddedW
                let ih = row - g.padTop
                line.update(repeating: 0, count: l.paddedW)
                guard ih >= 0, ih < g.inH else { continue }
                let first = max(0, g.padLeft), count = min(g.inW, l.paddedW - first)
                (line + first).update(from: source + ih * g.inW, count: count)
            }
            let v = scratch + l.vOffset + c * l.tiles
            let planeV = g.inChannels * l.tiles
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 48) { registers in
                let d = registers.baseAddress!, t = d + 16, work = d + 32
                for ty in 0..<l.tilesH {
                    var tx = 0
                    while tx < l.tilesW {
                        // d[r][j] for eight tiles: columns 2·tx + j of padded rows 2·ty + r.
                        for r in 0..<4 {
                            let p = UnsafeRawPointer(padded + (2 * ty + r) * l.paddedW + 2 * tx)
                            let a = p.loadUnaligned(as: SIMD16<Float>.self)
                            let b = p.loadUnaligned(fromByteOffset: 8, as: SIMD16<Float>.self)
                            d[r * 4] = a.evenHalf; d[r * 4 + 1] = a.oddHalf
                            d[r * 4 + 2] = b.evenHalf; d[r * 4 + 3] = b.oddHalf
                        }
                        Transform.inputTile(d, into: t, work: work)
                        let valid = min(8, l.tilesW - tx)
                        let tile = ty * l.tilesW + tx
                        for xi in 0..<16 {
                            let dst = v + xi * planeV + tile
                            if valid == 8 {
                                UnsafeMutableRawPointer(dst).storeBytes(of: t[xi], as: SIMD8<Float>.self)
                            } else {
                                for lane in 0..<valid { dst[lane] = t[xi][lane] }
                            }
                        }
                        tx += 8
                    }
                }
            }
        }
    }

    /// Step 2: the 16 GEMMs, in blocks of 4 channel panels × 4 tile panels.
    static func multiply(_ l: Layout, _ weights: UnsafePointer<Float>, _ scratch: UnsafeMutablePointer<Float>,
                         threads: Int) {
        let (mr, nr) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr)
        let k = l.g.inChannels
        let panelsM = l.m / mr, panelsN = (l.tiles + nr - 1) / nr
        let blocksM = (panelsM + 3) / 4, blocksN = (panelsN + 3) / 4
        let next = Atomic<Int>(0)
        let tasks = 16 * blocksM * blocksN
        parallelFor(l.workers, threads: l.workers) { worker in
            let partialB = scratch + l.workerOffset + worker * l.workerFloats
            let tile = partialB + k * nr
            while true {
                let task = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if task >= tasks { break }
                let xi = task / (blocksM * blocksN)
                let bm = task / blocksN % blocksM, bn = task % blocksN
                let a = weights + xi * l.m * k
                let b = UnsafePointer(scratch + l.vOffset + xi * k * l.tiles)
                let c = scratch + l.mOffset + xi * l.m * l.tiles
                for jp in (bn * 4)..<min(panelsN, bn * 4 + 4) {
                    let col = jp * nr, cols = min(nr, l.tiles - col)
                    if cols < nr {
                        for kk in 0..<k {
                            let row = partialB + kk * nr
                            row.update(from: b + kk * l.tiles + col, count: cols)
                            (row + cols).update(repeating: 0, count: nr - cols)
                        }
                    }
                    for ip in (bm * 4)..<min(panelsM, bm * 4 + 4) {
                        let panel = a + ip * mr * k
                        if cols == nr {
                            GEMMMicrokernel6x16.run(k: k, a: panel, b: b + col, ldb: l.tiles,
                                                    c: c + ip * mr * l.tiles + col, ldc: l.tiles, epilogue: .none)
                        } else {
                            GEMMMicrokernel6x16.run(k: k, a: panel, b: partialB, c: tile, ldc: nr, epilogue: .none)
                            for r in 0..<mr {
                                (c + (ip * mr + r) * l.tiles + col).update(from: tile + r * nr, count: cols)
                            }
                        }
                    }
                }
            }
        }
    }

    /// What happens to each output after the transform.
    struct OutputEpilogue {
        var bias: UnsafePointer<Float>?
        var scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?
        var relu: Bool
    }

    /// Step 3: y = Aᵀ M A for every tile, eight at a time, then the epilogue.
    static func transformOutput(_ l: Layout, _ scratch: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?,
                                _ e: OutputEpilogue, output: UnsafeMutablePointer<Float>, threads: Int) {
        let g = l.g
        let planeM = l.m * l.tiles
        parallelFor(g.outChannels, threads: threads) { co in
            let m = UnsafePointer(scratch + l.mOffset + co * l.tiles)
            let out = output + co * g.outH * g.outW
            let res = residual.map { $0 + co * g.outH * g.outW }
            let bias = e.bias?[co] ?? 0
            let (scale, shift) = e.scaleShift.map { ($0.scale[co], $0.shift[co]) } ?? (1, 0)
            let floor: Float = e.relu ? 0 : -.infinity
            withUnsafeTemporaryAllocation(of: SIMD8<Float>.self, capacity: 28) { registers in
                let lanes = registers.baseAddress!, y = lanes + 16, work = lanes + 20
                for ty in 0..<l.tilesH {
                    var tx = 0
                    while tx < l.tilesW {
                        let valid = min(8, l.tilesW - tx)
                        let tile = ty * l.tilesW + tx
                        for xi in 0..<16 {
                            let src = m + xi * planeM + tile
                            if valid == 8 {
                                lanes[xi] = UnsafeRawPointer(src).loadUnaligned(as: SIMD8<Float>.self)
                            } else {
                                lanes[xi] = .zero
                                for lane in 0..<valid { lanes[xi][lane] = src[lane] }
                            }
                        }
                        Transform.outputTile(lanes, into: y, work: work)
                        let wholeRows = valid == 8 && 2 * tx + 16 <= g.outW
                        for a in 0..<2 {
                            let oh = 2 * ty + a
                            if oh >= g.outH { continue }
                            if wholeRows {
                                // Columns 2·tx … 2·tx+15 of row oh: the two output columns interleaved.
                                let (c0, c1) = (y[a * 2], y[a * 2 + 1])
                                var v = SIMD16<Float>(c0[0], c1[0], c0[1], c1[1], c0[2], c1[2], c0[3], c1[3],
                                                      c0[4], c1[4], c0[5], c1[5], c0[6], c1[6], c0[7], c1[7])
                                let at = oh * g.outW + 2 * tx
                                v += SIMD16(repeating: bias)
                                if let res { v += UnsafeRawPointer(res + at).loadUnaligned(as: SIMD16<Float>.self) }
                                v = v * SIMD16(repeating: scale) + SIMD16(repeating: shift)
                                v = v.replacing(with: SIMD16(repeating: floor), where: v .< SIMD16(repeating: floor))
                                UnsafeMutableRawPointer(out + at).storeBytes(of: v, as: SIMD16<Float>.self)
                                continue
                            }
                            for lane in 0..<valid {
                                for b in 0..<2 {
                                    let ow = 2 * (tx + lane) + b
                                    if ow >= g.outW { continue }
                                    let index = oh * g.outW + ow
                                    var v = y[a * 2 + b][lane] + bias
                                    if let res { v += res[index] }
                                    out[index] = max(v * scale + shift, floor)
                                }
                            }
                        }
                        tx += 8
                    }
                }
            }
        }
    }

    /// The F(2×2, 3×3) transforms on eight tiles at once.
    enum Transform {
        /// V = Bᵀ d B with Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]];
        /// `d[4·r + j]` is row r, column j of the patches; `work` holds 16.
        @inline(__always)
        static func inputTile(_ d: UnsafePointer<SIMD8<Float>>, into v: UnsafeMutablePointer<SIMD8<Float>>,
                              work t: UnsafeMutablePointer<SIMD8<Float>>) {
            for j in 0..<4 {
                t[j] = d[j] - d[8 + j]
                t[4 + j] = d[4 + j] + d[8 + j]
                t[8 + j] = d[8 + j] - d[4 + j]
                t[12 + j] = d[4 + j] - d[12 + j]
            }
            for i in 0..<4 {
                v[4 * i] = t[4 * i] - t[4 * i + 2]
                v[4 * i + 1] = t[4 * i + 1] + t[4 * i + 2]
                v[4 * i + 2] = t[4 * i + 2] - t[4 * i + 1]
                v[4 * i + 3] = t[4 * i + 1] - t[4 * i + 3]
            }
        }

        /// y = Aᵀ m A with Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]]: y00, y01, y10, y11;
        /// `work` holds 8.
        @inline(__always)
        static func outputTile(_ m: UnsafePointer<SIMD8<Float>>, into y: UnsafeMutablePointer<SIMD8<Float>>,
                               work s: UnsafeMutablePointer<SIMD8<Float>>) {
            for j in 0..<4 {
                s[j] = m[j] + m[4 + j] + m[8 + j]
                s[4 + j] = m[4 + j] - m[8 + j] - m[12 + j]
            }
            y[0] = s[0] + s[1] + s[2]
            y[1] = s[1] - s[2] - s[3]
            y[2] = s[4] + s[5] + s[6]
            y[3] = s[5] - s[6] - s[7]
        }
    }
}

import Synchronization
