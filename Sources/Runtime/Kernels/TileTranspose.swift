/// A 6×8 block of a pixel-panel tile (six pixels' rows of eight channels)
/// turned into eight channel columns of six pixels, with the shuffles of
/// an 8×8 transpose whose last two rows are zero: unpack pairs of rows,
/// then pairs of pairs, then 128-bit halves. Each step is spelled element by
/// element in the shape one AVX instruction has (`unpcklps`/`unpckhps`,
/// `shufps`, `vperm2f128`), so LLVM emits one shuffle each.
enum TileTranspose {
    /// Calls `body(c, column)` for c in 0..<8, lane q of `column` being
    /// lane c of row q (lanes 6 and 7 zero).
    @inline(__always)
    static func forEachColumn(_ r0: SIMD8<Float>, _ r1: SIMD8<Float>, _ r2: SIMD8<Float>, _ r3: SIMD8<Float>,
                              _ r4: SIMD8<Float>, _ r5: SIMD8<Float>, _ body: (Int, SIMD8<Float>) -> Void) {
        let zero = SIMD8<Float>()
        let (a0, a1) = (unpackLow(r0, r1), unpackHigh(r0, r1))
        let (b0, b1) = (unpackLow(r2, r3), unpackHigh(r2, r3))
        let (c0, c1) = (unpackLow(r4, r5), unpackHigh(r4, r5))
        // Rows 0–3 of columns (0, 4), (1, 5), (2, 6), (3, 7), then their rows 4–7.
        let (t0, t1, t2, t3) = (pairsLow(a0, b0), pairsHigh(a0, b0), pairsLow(a1, b1), pairsHigh(a1, b1))
        let (u0, u1, u2, u3) = (pairsLow(c0, zero), pairsHigh(c0, zero), pairsLow(c1, zero), pairsHigh(c1, zero))
        body(0, lowHalves(t0, u0)); body(1, lowHalves(t1, u1)); body(2, lowHalves(t2, u2)); body(3, lowHalves(t3, u3))
        body(4, highHalves(t0, u0)); body(5, highHalves(t1, u1)); body(6, highHalves(t2, u2)); body(7, highHalves(t3, u3))
    }

    /// a0 b0 a1 b1 a4 b4 a5 b5.
    @inline(__always)
    private static func unpackLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5])
    }

    /// a2 b2 a3 b3 a6 b6 a7 b7.
    @inline(__always)
    private static func unpackHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7])
    }

    /// a0 a1 b0 b1 a4 a5 b4 b5.
    @inline(__always)
    private static func pairsLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5])
    }

    /// a2 a3 b2 b3 a6 a7 b6 b7.
    @inline(__always)
    private static func pairsHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7])
    }

    /// a0 a1 a2 a3 b0 b1 b2 b3.
    @inline(__always)
    private static func lowHalves(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(lowHalf: a.lowHalf, highHalf: b.lowHalf)
    }

    /// a4 a5 a6 a7 b4 b5 b6 b7.
    @inline(__always)
    private static func highHalves(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(lowHalf: a.highHalf, highHalf: b.highHalf)
    }
}
