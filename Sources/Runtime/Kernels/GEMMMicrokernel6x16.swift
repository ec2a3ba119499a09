import RuntimeIntrinsics

/// The 6×16 FP32 GEMM microkernel: `C[6×16] = A[6×k] · B[k×16]`, with an
/// optional fused epilogue, for AVX2 + FMA (12 ymm accumulators, 2 for the B
/// row, 1 for the broadcast A value: 15 of the 16 ymm registers).
///
/// Packed operands (BLIS layout, edges zero-padded by the packing routines so
/// the kernel has no loops in the MR or NR direction):
///
/// ```
///   a: MR-row panel, k-major        b: NR-column panel, k-major
///   k=0: a0 a1 a2 a3 a4 a5          k=0: b0 b1 … b15
///   k=1: a0 a1 a2 a3 a4 a5          k=1: b0 b1 … b15
///   …                               …
/// ```
///
/// Accumulation order: every accumulator starts at zero and takes one FMA per
/// `k`, in increasing `k`; then, in this order, the epilogue adds the previous
/// `C` (`accumulate`), the row's bias, the residual, the row's scale and
/// shift, and clamps at zero (`relu`). The kernel reads `c` only when `accumulate` is set, so it never
/// reads an output it has not written — arena memory holds garbage, even NaN.
/// The residual tile may be the `C` tile itself: each element is read before
/// it is stored.
enum GEMMMicrokernel6x16 {
    /// Rows of the register tile.
    static let mr = 6
    /// Columns of the register tile.
    static let nr = 16

    /// How many of a panel's six rows a kernel computes (a type, so each
    /// count gets its own specialized loop). A panel whose last rows are
    /// padding (64 channels are ten panels and four rows; a 7x7 map is eight
    /// pixel panels and one pixel) runs `FourRows`: its rows 4 and 5 are
    /// neither computed nor stored, and rows 0–3 get the same FMAs in the same
    /// order, so the same bits.
    protocol Rows { static var six: Bool { get } }
    enum SixRows: Rows { static var six: Bool { true } }
    enum FourRows: Rows { static var six: Bool { false } }

    /// What to do with the accumulators before storing them.
    typealias Epilogue = TileEpilogue

    /// Computes one full 6×16 tile of `c` (row stride `ldc` floats). B's rows
    /// are `ldb` floats apart: 16 for a packed panel, or the row length of an
    /// unpacked row-major B (a 1x1 convolution reads its input in place).
    @inline(__always)
    static func run<R: Rows>(_: R.Type = SixRows.self, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                             ldb: Int = nr, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: Epilogue) {
        var nothing = SpreadPrefetch.none
        run(R.self, k: k, a: a, b: b, ldb: ldb, c: c, ldc: ldc, epilogue: epilogue, prefetching: &nothing)
    }

    /// Like `run`, stepping `ahead` every other k step: a panel that is read
    /// once (Winograd's U at batch 1) brings in the next one while it runs,
    /// a line at a time, instead of in one burst that stalls the loads.
    @inline(__always)
    static func run<R: Rows>(_: R.Type = SixRows.self, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                             ldb: Int = nr, c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: Epilogue,
                             prefetching ahead: inout SpreadPrefetch) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
        var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
        var pa = a
        var pb = UnsafeRawPointer(b)
        let bStep = ldb &* 4
        var remaining = k
        while remaining > 0 {
            if remaining & 1 == 0 { ahead.step() }
            let bv = pb.loadUnaligned(as: SIMD16<Float>.self)
            multiplyAdd(R.self, &c0, &c1, &c2, &c3, &c4, &c5, pa, bv)
            pa += mr
            pb += bStep
            remaining &-= 1
        }
        store(R.self, c0, c1, c2, c3, c4, c5, c: c, ldc: ldc, epilogue: epilogue)
    }

    /// Like `run`, but B row `kk` starts at `b + offsets[kk]` (an indirection
    /// table: a stride-1 convolution reads its zero-padded input in place,
    /// row `kk` being one (channel, tap) shifted over the pixels).
    @inline(__always)
    static func runIndirect<R: Rows>(_: R.Type = SixRows.self, k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                                     offsets: UnsafePointer<Int32>, c: UnsafeMutablePointer<Float>, ldc: Int,
                                     epilogue: Epilogue) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
        var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
        var pa = a
        var po = offsets
        let pb = UnsafeRawPointer(b)
        var remaining = k
        while remaining > 0 {
            let bv = pb.loadUnaligned(fromByteOffset: Int(po[0]) &* 4, as: SIMD16<Float>.self)
            multiplyAdd(R.self, &c0, &c1, &c2, &c3, &c4, &c5, pa, bv)
            pa += 6
            po += 1
            remaining &-= 1
        }
        store(R.self, c0, c1, c2, c3, c4, c5, c: c, ldc: ldc, epilogue: epilogue)
    }

    /// Like `run` with a packed B panel, but A's six values at k step `kk`
    /// are gathered at `rows` from `a + kk·lda`: six output pixels of input
    /// channel `kk` of a 1x1 convolution, read in place (`PixelPanelConvolution`).
    /// The six offsets stay in registers and fold into the broadcasts' addresses.
    @inline(__always)
    static func runGatheredA<R: Rows>(_: R.Type = SixRows.self, k: Int, a: UnsafePointer<Float>, lda: Int,
                                      rows: PixelRows, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>,
                                      ldc: Int, epilogue: Epilogue) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
        var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
        var pa = a
        var pb = UnsafeRawPointer(b)
        var remaining = k
        while remaining > 0 {
            let bv = pb.loadUnaligned(as: SIMD16<Float>.self)
            multiplyAdd(R.self, &c0, &c1, &c2, &c3, &c4, &c5, pa, rows, bv)
            pa += lda
            pb += nr &* 4
            remaining &-= 1
        }
        store(R.self, c0, c1, c2, c3, c4, c5, c: c, ldc: ldc, epilogue: epilogue)
    }

    /// Like `runGatheredA`, but k step `kk`'s base is `a + offsets[kk]`: one
    /// (channel, tap) of a zero-padded polyphase input copy.
    @inline(__always)
    static func runGatheredA<R: Rows>(_: R.Type = SixRows.self, k: Int, a: UnsafePointer<Float>,
                                      offsets: UnsafePointer<Int32>, rows: PixelRows, b: UnsafePointer<Float>,
                                      c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: Epilogue) {
        var c0 = SIMD16<Float>(), c1 = SIMD16<Float>(), c2 = SIMD16<Float>()
        var c3 = SIMD16<Float>(), c4 = SIMD16<Float>(), c5 = SIMD16<Float>()
        var po = offsets
        var pb = UnsafeRawPointer(b)
        var remaining = k
        while remaining > 0 {
            let bv = pb.loadUnaligned(as: SIMD16<Float>.self)
            multiplyAdd(R.self, &c0, &c1, &c2, &c3, &c4, &c5, a + Int(po[0]), rows, bv)
            po += 1
            pb += nr &* 4
            remaining &-= 1
        }
        store(R.self, c0, c1, c2, c3, c4, c5, c: c, ldc: ldc, epilogue: epilogue)
    }

    /// The left eight columns of `run`, raw sums only (the same FMAs in the
    /// same order, so the same bits): a last panel of at most eight columns.
    @inline(__always)
    static func runHalf(k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, ldb: Int,
                        c: UnsafeMutablePointer<Float>, ldc: Int) {
        var c0 = SIMD8<Float>(), c1 = SIMD8<Float>(), c2 = SIMD8<Float>()
        var c3 = SIMD8<Float>(), c4 = SIMD8<Float>(), c5 = SIMD8<Float>()
        var pa = a
        var pb = UnsafeRawPointer(b)
        let bStep = ldb &* 4
        var remaining = k
        while remaining > 0 {
            let bv = pb.loadUnaligned(as: SIMD8<Float>.self)
            c0.addProduct(SIMD8(repeating: pa[0]), bv)
            c1.addProduct(SIMD8(repeating: pa[1]), bv)
            c2.addProduct(SIMD8(repeating: pa[2]), bv)
            c3.addProduct(SIMD8(repeating: pa[3]), bv)
            c4.addProduct(SIMD8(repeating: pa[4]), bv)
            c5.addProduct(SIMD8(repeating: pa[5]), bv)
            pa += 6
            pb += bStep
            remaining &-= 1
        }
        let r0 = UnsafeMutableRawPointer(c), r1 = r0 + ldc &* 4, r2 = r1 + ldc &* 4
        let r3 = r2 + ldc &* 4, r4 = r3 + ldc &* 4, r5 = r4 + ldc &* 4
        r0.storeBytes(of: c0, as: SIMD8<Float>.self)
        r1.storeBytes(of: c1, as: SIMD8<Float>.self)
        r2.storeBytes(of: c2, as: SIMD8<Float>.self)
        r3.storeBytes(of: c3, as: SIMD8<Float>.self)
        r4.storeBytes(of: c4, as: SIMD8<Float>.self)
        r5.storeBytes(of: c5, as: SIMD8<Float>.self)
    }

    /// One k step: `c_r += a[r] · b` for the rows.
    @inline(__always)
    private static func multiplyAdd<R: Rows>(_: R.Type, _ c0: inout SIMD16<Float>, _ c1: inout SIMD16<Float>, _ c2: inout SIMD16<Float>,
                                    _ c3: inout SIMD16<Float>, _ c4: inout SIMD16<Float>, _ c5: inout SIMD16<Float>,
                                    _ a: UnsafePointer<Float>, _ b: SIMD16<Float>) {
        c0.addProduct(SIMD16(repeating: a[0]), b)
        c1.addProduct(SIMD16(repeating: a[1]), b)
        c2.addProduct(SIMD16(repeating: a[2]), b)
        c3.addProduct(SIMD16(repeating: a[3]), b)
        if R.six {
            c4.addProduct(SIMD16(repeating: a[4]), b)
            c5.addProduct(SIMD16(repeating: a[5]), b)
        }
    }

    /// One k step with A gathered: `c_r += a[rows.r] · b`.
    @inline(__always)
    private static func multiplyAdd<R: Rows>(_: R.Type, _ c0: inout SIMD16<Float>, _ c1: inout SIMD16<Float>, _ c2: inout SIMD16<Float>,
                                    _ c3: inout SIMD16<Float>, _ c4: inout SIMD16<Float>, _ c5: inout SIMD16<Float>,
                                    _ a: UnsafePointer<Float>, _ rows: PixelRows, _ b: SIMD16<Float>) {
        c0.addProduct(SIMD16(repeating: a[rows.r0]), b)
        c1.addProduct(SIMD16(repeating: a[rows.r1]), b)
        c2.addProduct(SIMD16(repeating: a[rows.r2]), b)
        c3.addProduct(SIMD16(repeating: a[rows.r3]), b)
        if R.six {
            c4.addProduct(SIMD16(repeating: a[rows.r4]), b)
            c5.addProduct(SIMD16(repeating: a[rows.r5]), b)
        }
    }

    /// The epilogue, in order (accumulate, bias, residual, scale/shift, ReLU),
    /// then the store; rows 4 and 5 only for `SixRows`.
    @inline(__always)
    private static func store<R: Rows>(_: R.Type, _ c0: SIMD16<Float>, _ c1: SIMD16<Float>, _ c2: SIMD16<Float>,
                                       _ c3: SIMD16<Float>, _ c4: SIMD16<Float>, _ c5: SIMD16<Float>,
                                       c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: Epilogue) {
        var (c0, c1, c2, c3, c4, c5) = (c0, c1, c2, c3, c4, c5)
        let r0 = UnsafeMutableRawPointer(c), r1 = r0 + ldc &* 4, r2 = r1 + ldc &* 4
        let r3 = r2 + ldc &* 4, r4 = r3 + ldc &* 4, r5 = r4 + ldc &* 4
        if epilogue.accumulate {
            c0 += r0.loadUnaligned(as: SIMD16<Float>.self)
            c1 += r1.loadUnaligned(as: SIMD16<Float>.self)
            c2 += r2.loadUnaligned(as: SIMD16<Float>.self)
            c3 += r3.loadUnaligned(as: SIMD16<Float>.self)
            if R.six {
                c4 += r4.loadUnaligned(as: SIMD16<Float>.self)
                c5 += r5.loadUnaligned(as: SIMD16<Float>.self)
            }
        }
        if let bias = epilogue.bias {
            c0 += SIMD16(repeating: bias[0]); c1 += SIMD16(repeating: bias[1])
            c2 += SIMD16(repeating: bias[2]); c3 += SIMD16(repeating: bias[3])
            if R.six { c4 += SIMD16(repeating: bias[4]); c5 += SIMD16(repeating: bias[5]) }
        }
        if let residual = epilogue.residual {
            let q0 = UnsafeRawPointer(residual), q1 = q0 + ldc &* 4, q2 = q1 + ldc &* 4
            let q3 = q2 + ldc &* 4, q4 = q3 + ldc &* 4, q5 = q4 + ldc &* 4
            c0 += q0.loadUnaligned(as: SIMD16<Float>.self)
            c1 += q1.loadUnaligned(as: SIMD16<Float>.self)
            c2 += q2.loadUnaligned(as: SIMD16<Float>.self)
            c3 += q3.loadUnaligned(as: SIMD16<Float>.self)
            if R.six {
                c4 += q4.loadUnaligned(as: SIMD16<Float>.self)
                c5 += q5.loadUnaligned(as: SIMD16<Float>.self)
            }
        }
        if let (s, t) = epilogue.scaleShift {
            c0 = c0 * SIMD16(repeating: s[0]) + SIMD16(repeating: t[0])
            c1 = c1 * SIMD16(repeating: s[1]) + SIMD16(repeating: t[1])
            c2 = c2 * SIMD16(repeating: s[2]) + SIMD16(repeating: t[2])
            c3 = c3 * SIMD16(repeating: s[3]) + SIMD16(repeating: t[3])
            if R.six {
                c4 = c4 * SIMD16(repeating: s[4]) + SIMD16(repeating: t[4])
                c5 = c5 * SIMD16(repeating: s[5]) + SIMD16(repeating: t[5])
            }
        }
        if epilogue.relu {
            c0 = c0.clampedAtZero; c1 = c1.clampedAtZero; c2 = c2.clampedAtZero
            c3 = c3.clampedAtZero; c4 = c4.clampedAtZero; c5 = c5.clampedAtZero
        }
        r0.storeBytes(of: c0, as: SIMD16<Float>.self)
        r1.storeBytes(of: c1, as: SIMD16<Float>.self)
        r2.storeBytes(of: c2, as: SIMD16<Float>.self)
        r3.storeBytes(of: c3, as: SIMD16<Float>.self)
        if R.six {
            r4.storeBytes(of: c4, as: SIMD16<Float>.self)
            r5.storeBytes(of: c5, as: SIMD16<Float>.self)
        }
    }
}
