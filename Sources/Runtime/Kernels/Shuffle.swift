/// Lane permutations, spelled element by element so LLVM emits one shuffle
/// each (the generic `evenHalf` of a `SIMD32` is an out-of-line call): the
/// Winograd transforms' phase splits and interleaves, the strided input
/// copies' even lanes, the pixel panels' tile transpose.
enum Shuffle {
    /// Lanes 0, 2, …, 14.
    @inline(__always)
    static func even(_ a: SIMD16<Float>) -> SIMD8<Float> {
        SIMD8(a[0], a[2], a[4], a[6], a[8], a[10], a[12], a[14])
    }

    /// Lanes 1, 3, …, 15.
    @inline(__always)
    static func odd(_ a: SIMD16<Float>) -> SIMD8<Float> {
        SIMD8(a[1], a[3], a[5], a[7], a[9], a[11], a[13], a[15])
    }

    /// Even lanes of the 32 lanes a ++ b.
    @inline(__always)
    static func even(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(a[0], a[2], a[4], a[6], a[8], a[10], a[12], a[14], b[0], b[2], b[4], b[6], b[8], b[10], b[12], b[14])
    }

    /// Odd lanes of the 32 lanes a ++ b.
    @inline(__always)
    static func odd(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(a[1], a[3], a[5], a[7], a[9], a[11], a[13], a[15], b[1], b[3], b[5], b[7], b[9], b[11], b[13], b[15])
    }

    /// a0 b0 a1 b1 … a7 b7.
    @inline(__always)
    static func interleave(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD16<Float> {
        SIMD16(a[0], b[0], a[1], b[1], a[2], b[2], a[3], b[3], a[4], b[4], a[5], b[5], a[6], b[6], a[7], b[7])
    }

    /// Pairs 0–3 of a and b interleaved: a0 a1 b0 b1 a2 a3 b2 b3 … a6 a7 b6 b7.
    @inline(__always)
    static func interleaveLow(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(a[0], a[1], b[0], b[1], a[2], a[3], b[2], b[3], a[4], a[5], b[4], b[5], a[6], a[7], b[6], b[7])
    }

    /// Pairs 4–7 of a and b interleaved.
    @inline(__always)
    static func interleaveHigh(_ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float> {
        SIMD16(a[8], a[9], b[8], b[9], a[10], a[11], b[10], b[11], a[12], a[13], b[12], b[13], a[14], a[15], b[14], b[15])
    }

    // Eight-lane steps of an 8×8 transpose (`TileTranspose`), each in the
    // shape of one AVX instruction.

    /// a0 b0 a1 b1 a4 b4 a5 b5.
    @inline(__always)
    static func unpackLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(a[0], b[0], a[1], b[1], a[4], b[4], a[5], b[5])
    }

    /// a2 b2 a3 b3 a6 b6 a7 b7.
    @inline(__always)
    static func unpackHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(a[2], b[2], a[3], b[3], a[6], b[6], a[7], b[7])
    }

    /// a0 a1 b0 b1 a4 a5 b4 b5.
    @inline(__always)
    static func pairsLow(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(a[0], a[1], b[0], b[1], a[4], a[5], b[4], b[5])
    }

    /// a2 a3 b2 b3 a6 a7 b6 b7.
    @inline(__always)
    static func pairsHigh(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(a[2], a[3], b[2], b[3], a[6], a[7], b[6], b[7])
    }

    /// a0 a1 a2 a3 b0 b1 b2 b3.
    @inline(__always)
    static func lowHalves(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(lowHalf: a.lowHalf, highHalf: b.lowHalf)
    }

    /// a4 a5 a6 a7 b4 b5 b6 b7.
    @inline(__always)
    static func highHalves(_ a: SIMD8<Float>, _ b: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(lowHalf: a.highHalf, highHalf: b.highHalf)
    }
}
