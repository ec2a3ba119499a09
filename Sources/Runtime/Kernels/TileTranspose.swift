/// A 6×8 block of a pixel-panel tile (six pixels' rows of eight channels)
/// turned into eight channel columns of six pixels, with the shuffles of
/// an 8×8 transpose whose last two rows are zero: unpack pairs of rows,
/// then pairs of pairs, then 128-bit halves (`Shuffle`: `unpcklps`/
/// `unpckhps`, `shufps`, `vperm2f128`).
enum TileTranspose {
    /// Calls `body(c, column)` for c in 0..<8, lane q of `column` being
    /// lane c of row q (lanes 6 and 7 zero).
    @inline(__always)
    static func forEachColumn(_ r0: SIMD8<Float>, _ r1: SIMD8<Float>, _ r2: SIMD8<Float>, _ r3: SIMD8<Float>,
                              _ r4: SIMD8<Float>, _ r5: SIMD8<Float>, _ body: (Int, SIMD8<Float>) -> Void) {
        typealias S = Shuffle
        let zero = SIMD8<Float>()
        let (a0, a1) = (S.unpackLow(r0, r1), S.unpackHigh(r0, r1))
        let (b0, b1) = (S.unpackLow(r2, r3), S.unpackHigh(r2, r3))
        let (c0, c1) = (S.unpackLow(r4, r5), S.unpackHigh(r4, r5))
        // Rows 0–3 of columns (0, 4), (1, 5), (2, 6), (3, 7), then their rows 4–7.
        let (t0, t1, t2, t3) = (S.pairsLow(a0, b0), S.pairsHigh(a0, b0), S.pairsLow(a1, b1), S.pairsHigh(a1, b1))
        let (u0, u1, u2, u3) = (S.pairsLow(c0, zero), S.pairsHigh(c0, zero), S.pairsLow(c1, zero), S.pairsHigh(c1, zero))
        body(0, S.lowHalves(t0, u0)); body(1, S.lowHalves(t1, u1)); body(2, S.lowHalves(t2, u2)); body(3, S.lowHalves(t3, u3))
        body(4, S.highHalves(t0, u0)); body(5, S.highHalves(t1, u1))
        body(6, S.highHalves(t2, u2)); body(7, S.highHalves(t3, u3))
    }
}
