import RuntimeIntrinsics

/// The 6×64 FP32 GEMM microkernel for AVX-512: `C[6×64] = A[6×k] · B[k×64]`
/// in 24 zmm accumulators, four 16-float B vectors and one broadcast A value
/// per k step: 29 of the 32 zmm registers.
///
/// Why a second microkernel when the FMA ceiling is the same as AVX2's (on
/// Zen 4 a zmm FMA takes both 256-bit pipes): per 24 FMAs of 16 lanes it
/// issues 10 loads where `GEMMMicrokernel6x16` issues 32, so it keeps the
/// FMA pipes fed when B comes from L2 or when another hardware thread
/// shares the core's load ports. Measured on one Zen 4 core, B streaming
/// from L2: 112–115 GFLOP/s against 84–97 for four 6×16 calls.
///
/// This module is compiled for `skylake-avx512`; nothing in it may run on a
/// processor without AVX-512 (`VectorISA.host` decides, in `Runtime`).
///
/// Layout: B is four 16-column panels `panelStride` floats apart, each with
/// its rows `ldb` floats apart (a packed panel: 16; the input read in place:
/// its plane); C and the residual likewise, panel j's 6×16 block at
/// `j · cPanelStride`, rows `ldc` apart. Every element takes the same FMAs
/// in the same order as in `GEMMMicrokernel6x16`, then the same epilogue,
/// so the two kernels give the same bits.
public enum GEMMMicrokernel6x64 {
    /// Columns of one B panel (a zmm register). Inlinable, like `panels`,
    /// so reading it runs no code of this module.
    @inlinable public static var nr: Int { 16 }
    /// B panels per call.
    @inlinable public static var panels: Int { 4 }

    /// What to do with the accumulators before storing them (shared with
    /// `GEMMMicrokernel6x16`, so both apply it in the same order).
    public typealias Epilogue = TileEpilogue

    /// A packed 6-row A panel (six floats per k step) times four B panels;
    /// `ahead` is stepped once per k step (the next call's C block).
    public static func run(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int, panelStride: Int,
                           c: UnsafeMutablePointer<Float>, ldc: Int, cPanelStride: Int, epilogue: Epilogue,
                           ahead: TilePrefetch = .none) {
        let t = sums(k: k, a: a, b: b, ldb: ldb, panelStride: panelStride, sixRows: true, ahead: ahead)
        t.store(rows: 6, c: c, ldc: ldc, cPanelStride: cPanelStride, epilogue: epilogue)
    }

    /// `run` for a last A panel with `rows` (1…5) rows of channels, the rest
    /// of its six the packing's zeros: four rows computed (six for five),
    /// `rows` stored.
    public static func runPartial(rows: Int, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int,
                                  panelStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int, cPanelStride: Int,
                                  epilogue: Epilogue) {
        // Two calls with constant `sixRows`, so each inlined loop has no test of it.
        let t = rows > 4 ? sums(k: k, a: a, b: b, ldb: ldb, panelStride: panelStride, sixRows: true, ahead: .none)
            : sums(k: k, a: a, b: b, ldb: ldb, panelStride: panelStride, sixRows: false, ahead: .none)
        t.store(rows: rows, c: c, ldc: ldc, cPanelStride: cPanelStride, epilogue: epilogue)
    }

    /// The 6×64 sums of `run`, or only rows 0–3 of them unless `sixRows`.
    @inline(__always)
    private static func sums(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int, panelStride: Int,
                             sixRows: Bool, ahead: TilePrefetch) -> Tile {
        var t = Tile()
        var pa = a
        var pb = UnsafeRawPointer(b)
        var ahead = ahead
        let (s, step) = (panelStride &* 4, ldb &* 4)
        var remaining = k
        while remaining > 0 {
            let q = Quad(pb, s)
            ahead.step()
            t.r0.add(pa[0], q); t.r1.add(pa[1], q); t.r2.add(pa[2], q); t.r3.add(pa[3], q)
            if sixRows { t.r4.add(pa[4], q); t.r5.add(pa[5], q) }
            pa += 6
            pb += step
            remaining &-= 1
        }
        return t
    }

    /// A packed 6-row A panel times 64 consecutive virtual pixels whose row
    /// `kk` starts at `b + offsets[kk]` (a zero-padded polyphase copy read
    /// through its offset table); `ahead` as in `run`.
    public static func runIndirect(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, offsets: UnsafePointer<Int32>,
                                   c: UnsafeMutablePointer<Float>, ldc: Int, cPanelStride: Int, epilogue: Epilogue,
                                   ahead: TilePrefetch = .none) {
        var t = Tile()
        var pa = a
        var po = offsets
        var ahead = ahead
        let pb = UnsafeRawPointer(b)
        var remaining = k
        while remaining > 0 {
            let q = Quad(pb + Int(po[0]) &* 4, nr &* 4)
            ahead.step()
            t.r0.add(pa[0], q); t.r1.add(pa[1], q); t.r2.add(pa[2], q)
            t.r3.add(pa[3], q); t.r4.add(pa[4], q); t.r5.add(pa[5], q)
            pa += 6
            po += 1
            remaining &-= 1
        }
        t.store(c: c, ldc: ldc, cPanelStride: cPanelStride, epilogue: epilogue)
    }

    /// Six pixels' A values gathered at `rows` from each k step's base
    /// `a + kk·lda` (a 1x1 convolution's input read in place) times four
    /// packed weight panels; raw sums, added to C when `accumulate` is set.
    /// A panel of fewer `pixels` (the map's last) computes one row for one
    /// pixel, four for up to four, and stores only its own.
    public static func runGatheredA(k: Int, a: UnsafePointer<Float>, lda: Int, rows: PixelRows, pixels: Int = 6,
                                    b: UnsafePointer<Float>, panelStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                    cPanelStride: Int, accumulate: Bool) {
        gathered(k: k, steps: StridedSteps(base: a, stride: lda), rows: rows, pixels: pixels, b: b,
                 panelStride: panelStride, c: c, ldc: ldc, cPanelStride: cPanelStride, accumulate: accumulate)
    }

    /// Like `runGatheredA(lda:)`, but k step `kk`'s base is `a + offsets[kk]`
    /// (one channel and tap of a zero-padded polyphase copy).
    public static func runGatheredA(k: Int, a: UnsafePointer<Float>, offsets: UnsafePointer<Int32>, rows: PixelRows,
                                    pixels: Int = 6, b: UnsafePointer<Float>, panelStride: Int,
                                    c: UnsafeMutablePointer<Float>, ldc: Int, cPanelStride: Int, accumulate: Bool) {
        gathered(k: k, steps: TableSteps(base: a, offsets: offsets), rows: rows, pixels: pixels, b: b,
                 panelStride: panelStride, c: c, ldc: ldc, cPanelStride: cPanelStride, accumulate: accumulate)
    }

    /// Both `runGatheredA`s.
    @inline(__always)
    private static func gathered<S: KSteps>(k: Int, steps: S, rows: PixelRows, pixels: Int, b: UnsafePointer<Float>,
                                            panelStride: Int, c: UnsafeMutablePointer<Float>, ldc: Int,
                                            cPanelStride: Int, accumulate: Bool) {
        // One call per row count, each with its loop's row count constant.
        let t = pixels == 1 ? gatheredSums(k: k, steps: steps, rows: rows, computed: 1, b: b, panelStride: panelStride)
            : pixels <= 4 ? gatheredSums(k: k, steps: steps, rows: rows, computed: 4, b: b, panelStride: panelStride)
            : gatheredSums(k: k, steps: steps, rows: rows, computed: 6, b: b, panelStride: panelStride)
        t.store(rows: pixels, c: c, ldc: ldc, cPanelStride: cPanelStride, epilogue: Epilogue(accumulate: accumulate))
    }

    /// Rows `0..<computed` (1, 4 or 6) of the gathered sums.
    @inline(__always)
    private static func gatheredSums<S: KSteps>(k: Int, steps: S, rows: PixelRows, computed: Int,
                                                b: UnsafePointer<Float>, panelStride: Int) -> Tile {
        var t = Tile()
        var steps = steps
        var pb = UnsafeRawPointer(b)
        let s = panelStride &* 4
        var remaining = k
        while remaining > 0 {
            t.add(steps.next(), rows, Quad(pb, s), computed: computed)
            pb += nr &* 4
            remaining &-= 1
        }
        return t
    }

    /// Winograd's multiply, where a block has too few tiles for four B
    /// panels: four 6-row A panels (`aPanelStride` floats apart, rows 0–23
    /// of C) times one 16-column B panel, raw sums into `c`. 24 broadcasts
    /// and one load per 24 FMAs, against 32 loads for four 6×16 calls.
    /// Steps `ahead` every other k step, as `GEMMMicrokernel6x16.run` does:
    /// the next A panels, which at batch 1 come from DRAM.
    public static func run24x16(k: Int, a: UnsafePointer<Float>, aPanelStride: Int, b: UnsafePointer<Float>, ldb: Int,
                                c: UnsafeMutablePointer<Float>, ldc: Int, prefetching ahead: inout SpreadPrefetch) {
        var (t0, t1, t2, t3) = (Column(), Column(), Column(), Column())
        var pa = a
        var pb = UnsafeRawPointer(b)
        let step = ldb &* 4
        var remaining = k
        while remaining > 0 {
            if remaining & 1 == 0 { ahead.step() }
            let bv = pb.loadUnaligned(as: SIMD16<Float>.self)
            t0.add(pa, bv); t1.add(pa + aPanelStride, bv); t2.add(pa + 2 &* aPanelStride, bv)
            t3.add(pa + 3 &* aPanelStride, bv)
            pa += 6
            pb += step
            remaining &-= 1
        }
        let rows = UnsafeMutableRawPointer(c), six = 6 &* ldc &* 4
        t0.store(rows, ldc); t1.store(rows + six, ldc); t2.store(rows + 2 &* six, ldc); t3.store(rows + 3 &* six, ldc)
    }

    /// Six rows of 16 accumulators (one A panel of `run24x16`).
    private struct Column {
        var r0 = SIMD16<Float>(), r1 = SIMD16<Float>(), r2 = SIMD16<Float>()
        var r3 = SIMD16<Float>(), r4 = SIMD16<Float>(), r5 = SIMD16<Float>()

        @inline(__always)
        mutating func add(_ a: UnsafePointer<Float>, _ b: SIMD16<Float>) {
            r0.addProduct(SIMD16(repeating: a[0]), b); r1.addProduct(SIMD16(repeating: a[1]), b)
            r2.addProduct(SIMD16(repeating: a[2]), b); r3.addProduct(SIMD16(repeating: a[3]), b)
            r4.addProduct(SIMD16(repeating: a[4]), b); r5.addProduct(SIMD16(repeating: a[5]), b)
        }

        @inline(__always)
        func store(_ c: UnsafeMutableRawPointer, _ ldc: Int) {
            let l = ldc &* 4
            c.storeBytes(of: r0, as: SIMD16<Float>.self); c.storeBytes(of: r1, toByteOffset: l, as: SIMD16<Float>.self)
            c.storeBytes(of: r2, toByteOffset: 2 &* l, as: SIMD16<Float>.self)
            c.storeBytes(of: r3, toByteOffset: 3 &* l, as: SIMD16<Float>.self)
            c.storeBytes(of: r4, toByteOffset: 4 &* l, as: SIMD16<Float>.self)
            c.storeBytes(of: r5, toByteOffset: 5 &* l, as: SIMD16<Float>.self)
        }
    }

    /// One k step's 64 B values: four vectors, one per panel.
    private struct Quad {
        var v0, v1, v2, v3: SIMD16<Float>

        @inline(__always)
        init() { (v0, v1, v2, v3) = (.zero, .zero, .zero, .zero) }

        @inline(__always)
        init(_ p: UnsafeRawPointer, _ stride: Int) {
            v0 = p.loadUnaligned(as: SIMD16<Float>.self)
            v1 = p.loadUnaligned(fromByteOffset: stride, as: SIMD16<Float>.self)
            v2 = p.loadUnaligned(fromByteOffset: 2 &* stride, as: SIMD16<Float>.self)
            v3 = p.loadUnaligned(fromByteOffset: 3 &* stride, as: SIMD16<Float>.self)
        }

        /// `self += x · b`, lane by lane, one FMA per lane.
        @inline(__always)
        mutating func add(_ x: Float, _ b: Quad) {
            let v = SIMD16<Float>(repeating: x)
            v0.addProduct(v, b.v0); v1.addProduct(v, b.v1); v2.addProduct(v, b.v2); v3.addProduct(v, b.v3)
        }

        /// Row `r` of the 6×64 block at `c` (panel j at `j · panelStride`).
        @inline(__always)
        init(_ c: UnsafeRawPointer, row r: Int, ldc: Int, panelStride: Int) {
            self.init(c + r &* ldc &* 4, panelStride &* 4)
        }

        @inline(__always)
        func store(to c: UnsafeMutableRawPointer, _ stride: Int) {
            c.storeBytes(of: v0, as: SIMD16<Float>.self)
            c.storeBytes(of: v1, toByteOffset: stride, as: SIMD16<Float>.self)
            c.storeBytes(of: v2, toByteOffset: 2 &* stride, as: SIMD16<Float>.self)
            c.storeBytes(of: v3, toByteOffset: 3 &* stride, as: SIMD16<Float>.self)
        }

        @inline(__always)
        static func += (a: inout Quad, b: Quad) {
            a.v0 += b.v0; a.v1 += b.v1; a.v2 += b.v2; a.v3 += b.v3
        }
    }

    /// The 6×64 accumulators, a `Quad` per row.
    private struct Tile {
        var r0 = Quad(), r1 = Quad(), r2 = Quad(), r3 = Quad(), r4 = Quad(), r5 = Quad()

        /// One k step with A gathered into rows `0..<computed` (1, 4 or 6):
        /// row r takes `a[rows.r]`.
        @inline(__always)
        mutating func add(_ a: UnsafePointer<Float>, _ rows: PixelRows, _ q: Quad, computed: Int) {
            r0.add(a[rows.r0], q)
            if computed > 1 { r1.add(a[rows.r1], q); r2.add(a[rows.r2], q); r3.add(a[rows.r3], q) }
            if computed > 4 { r4.add(a[rows.r4], q); r5.add(a[rows.r5], q) }
        }

        @inline(__always)
        func store(c: UnsafeMutablePointer<Float>, ldc: Int, cPanelStride: Int, epilogue e: Epilogue) {
            store(rows: 6, c: c, ldc: ldc, cPanelStride: cPanelStride, epilogue: e)
        }

        /// The first `rows` rows through the epilogue into C.
        @inline(__always)
        func store(rows: Int, c: UnsafeMutablePointer<Float>, ldc: Int, cPanelStride: Int, epilogue e: Epilogue) {
            Self.store(r0, row: 0, c: c, ldc: ldc, cPanelStride: cPanelStride, e)
            if rows > 1 { Self.store(r1, row: 1, c: c, ldc: ldc, cPanelStride: cPanelStride, e) }
            if rows > 2 { Self.store(r2, row: 2, c: c, ldc: ldc, cPanelStride: cPanelStride, e) }
            if rows > 3 { Self.store(r3, row: 3, c: c, ldc: ldc, cPanelStride: cPanelStride, e) }
            if rows > 4 { Self.store(r4, row: 4, c: c, ldc: ldc, cPanelStride: cPanelStride, e) }
            if rows > 5 { Self.store(r5, row: 5, c: c, ldc: ldc, cPanelStride: cPanelStride, e) }
        }

        /// Row `r` through the epilogue into C, in `GEMMMicrokernel6x16`'s order.
        @inline(__always)
        private static func store(_ sums: Quad, row r: Int, c: UnsafeMutablePointer<Float>, ldc: Int, cPanelStride: Int,
                                  _ e: Epilogue) {
            var q = sums
            if e.accumulate { q += Quad(UnsafeRawPointer(c), row: r, ldc: ldc, panelStride: cPanelStride) }
            if let bias = e.bias {
                let v = SIMD16<Float>(repeating: bias[r])
                q.v0 += v; q.v1 += v; q.v2 += v; q.v3 += v
            }
            if let residual = e.residual { q += Quad(UnsafeRawPointer(residual), row: r, ldc: ldc, panelStride: cPanelStride) }
            if let (scale, shift) = e.scaleShift {
                let (s, t) = (SIMD16<Float>(repeating: scale[r]), SIMD16<Float>(repeating: shift[r]))
                q.v0 = q.v0 * s + t; q.v1 = q.v1 * s + t; q.v2 = q.v2 * s + t; q.v3 = q.v3 * s + t
            }
            if e.relu {
                q.v0 = q.v0.clampedAtZero; q.v1 = q.v1.clampedAtZero
                q.v2 = q.v2.clampedAtZero; q.v3 = q.v3.clampedAtZero
            }
            q.store(to: UnsafeMutableRawPointer(c + r &* ldc), cPanelStride &* 4)
        }
    }

    /// Where the gathered kernels find each k step's A values: one pointer
    /// bumped per step (with the loop's counter, a register fewer than an
    /// index into the table: the loop needs all sixteen).
    private protocol KSteps {
        /// The next k step's base.
        mutating func next() -> UnsafePointer<Float>
    }

    /// k step kk at `base + kk·stride`.
    private struct StridedSteps: KSteps {
        var base: UnsafePointer<Float>
        let stride: Int

        @inline(__always)
        mutating func next() -> UnsafePointer<Float> {
            defer { base += stride }
            return base
        }
    }

    /// k step kk at `base + offsets[kk]`.
    private struct TableSteps: KSteps {
        let base: UnsafePointer<Float>
        var offsets: UnsafePointer<Int32>

        @inline(__always)
        mutating func next() -> UnsafePointer<Float> {
            defer { offsets += 1 }
            return base + Int(offsets[0])
        }
    }
}
