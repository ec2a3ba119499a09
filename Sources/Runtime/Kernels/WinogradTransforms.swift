/// The two Winograd algorithms `WinogradConvolution` runs, F(m×m, 3×3) for
/// m = 2 and 4: α×α = (m+2)² input patches, m×m output tiles.
public enum WinogradTile: Int, Codable, Hashable, Sendable {
    /// F(2×2, 3×3): 16 products per 4 outputs, 2.25× fewer than direct.
    case f2x2 = 2
    /// F(4×4, 3×3): 36 products per 16 outputs, 4× fewer than direct.
    case f4x4 = 4

    /// Output tile side.
    public var m: Int { rawValue }
    /// Input patch side.
    public var alpha: Int { rawValue + 2 }

    /// G (α × 3) of the weight transform U = G g Gᵀ (Lavin & Gray 2016;
    /// interpolation points 0, ±1 for F(2×2), 0, ±1, ±2 for F(4×4)).
    var g: [[Double]] {
        switch self {
        case .f2x2: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        case .f4x4: [[1.0 / 4, 0, 0], [-1.0 / 6, -1.0 / 6, -1.0 / 6], [-1.0 / 6, 1.0 / 6, -1.0 / 6],
                     [1.0 / 24, 1.0 / 12, 1.0 / 6], [1.0 / 24, -1.0 / 12, 1.0 / 6], [0, 0, 1]]
        }
    }
}

/// One tile size's data transforms, on eight tiles at once: lane l of every
/// vector belongs to the l-th of eight horizontally adjacent tiles. The
/// kernel is generic over this, so each size gets its loops unrolled and its
/// loads and stores addressed with constants.
protocol WinogradTransform {
    /// Output tile side m (input patches are m + 2 wide).
    static var m: Int { get }
    /// V = Bᵀ d B: `d(i, j)` loads row i, column j of the patches, `store(ξ, v)`
    /// takes V[ξ] (ξ = α·row + column); `work` holds α² vectors.
    static func inputTile(_ d: (Int, Int) -> SIMD8<Float>, _ store: (Int, SIMD8<Float>) -> Void,
                          work: UnsafeMutablePointer<SIMD8<Float>>)
    /// y = Aᵀ M A: `mm(ξ)` loads M[ξ]; y is m×m row-major; `work` holds m·α vectors.
    static func outputTile(_ mm: (Int) -> SIMD8<Float>, into y: UnsafeMutablePointer<SIMD8<Float>>,
                           work: UnsafeMutablePointer<SIMD8<Float>>)
    /// `y[j]`, j < m: lane l is `p[m·l + j]` (eight output tiles' row, or a
    /// padded input row split into phases; reads 8m floats).
    static func loadTileRow(_ p: UnsafeRawPointer, into y: UnsafeMutablePointer<SIMD8<Float>>)
    /// Stores `y[j]` lane l at `p[m·l + j]`, the inverse of `loadTileRow`.
    static func storeTileRow(_ y: UnsafePointer<SIMD8<Float>>, to p: UnsafeMutableRawPointer)
}

/// F(2×2, 3×3): Bᵀ = [[1, 0, −1, 0], [0, 1, 1, 0], [0, −1, 1, 0], [0, 1, 0, −1]],
/// Aᵀ = [[1, 1, 1, 0], [0, 1, −1, −1]].
enum WinogradF2: WinogradTransform {
    static var m: Int { 2 }

    @inline(__always)
    static func loadTileRow(_ p: UnsafeRawPointer, into y: UnsafeMutablePointer<SIMD8<Float>>) {
        let a = p.loadUnaligned(as: SIMD16<Float>.self)
        y[0] = Shuffle.even(a); y[1] = Shuffle.odd(a)
    }

    @inline(__always)
    static func storeTileRow(_ y: UnsafePointer<SIMD8<Float>>, to p: UnsafeMutableRawPointer) {
        p.storeBytes(of: Shuffle.interleave(y[0], y[1]), as: SIMD16<Float>.self)
    }

    /// Bᵀ x for one column or row.
    @inline(__always)
    private static func input1D(_ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        (x0 - x2, x1 + x2, x2 - x1, x1 - x3)
    }

    @inline(__always)
    static func inputTile(_ d: (Int, Int) -> SIMD8<Float>, _ store: (Int, SIMD8<Float>) -> Void,
                          work t: UnsafeMutablePointer<SIMD8<Float>>) {
        for j in 0..<4 {
            (t[j], t[4 + j], t[8 + j], t[12 + j]) = input1D(d(0, j), d(1, j), d(2, j), d(3, j))
        }
        for i in 0..<4 {
            let v = input1D(t[4 * i], t[4 * i + 1], t[4 * i + 2], t[4 * i + 3])
            store(4 * i, v.0); store(4 * i + 1, v.1); store(4 * i + 2, v.2); store(4 * i + 3, v.3)
        }
    }

    /// Aᵀ x for one column or row.
    @inline(__always)
    private static func output1D(_ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>) {
        (x0 + x1 + x2, x1 - x2 - x3)
    }

    @inline(__always)
    static func outputTile(_ mm: (Int) -> SIMD8<Float>, into y: UnsafeMutablePointer<SIMD8<Float>>,
                           work s: UnsafeMutablePointer<SIMD8<Float>>) {
        for j in 0..<4 { (s[j], s[4 + j]) = output1D(mm(j), mm(4 + j), mm(8 + j), mm(12 + j)) }
        for i in 0..<2 { (y[2 * i], y[2 * i + 1]) = output1D(s[4 * i], s[4 * i + 1], s[4 * i + 2], s[4 * i + 3]) }
    }
}

/// F(4×4, 3×3):
/// ```
///   Bᵀ = [4  0 −5  0  1  0]     Aᵀ = [1  1  1  1  1  0]
///        [0 −4 −4  1  1  0]          [0  1 −1  2 −2  0]
///        [0  4 −4 −1  1  0]          [0  1  1  4  4  0]
///        [0 −2 −1  2  1  0]          [0  1 −1  8 −8  1]
///        [0  2 −1 −2  1  0]
///        [0  4  0 −5  0  1]
/// ```
enum WinogradF4: WinogradTransform {
    static var m: Int { 4 }

    @inline(__always)
    static func loadTileRow(_ p: UnsafeRawPointer, into y: UnsafeMutablePointer<SIMD8<Float>>) {
        let a = p.loadUnaligned(as: SIMD16<Float>.self)
        let b = p.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        let (even, odd) = (Shuffle.even(a, b), Shuffle.odd(a, b))
        y[0] = Shuffle.even(even); y[1] = Shuffle.even(odd); y[2] = Shuffle.odd(even); y[3] = Shuffle.odd(odd)
    }

    @inline(__always)
    static func storeTileRow(_ y: UnsafePointer<SIMD8<Float>>, to p: UnsafeMutableRawPointer) {
        // y0 y1 pairs and y2 y3 pairs, then the pairs interleaved: y0 y1 y2 y3 per tile.
        let (front, back) = (Shuffle.interleave(y[0], y[1]), Shuffle.interleave(y[2], y[3]))
        p.storeBytes(of: Shuffle.interleaveLow(front, back), as: SIMD16<Float>.self)
        p.storeBytes(of: Shuffle.interleaveHigh(front, back), toByteOffset: 64, as: SIMD16<Float>.self)
    }


    /// Bᵀ x for one column or row.
    @inline(__always)
    private static func input1D(_ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>,
                                _ x4: SIMD8<Float>, _ x5: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let four = SIMD8<Float>(repeating: 4), five = SIMD8<Float>(repeating: 5), two = SIMD8<Float>(repeating: 2)
        let a = x4 - four * x2, b = x3 - four * x1
        let c = x4 - x2, e = two * (x3 - x1)
        return (four * x0 - five * x2 + x4, a + b, a - b, c + e, c - e, four * x1 - five * x3 + x5)
    }

    @inline(__always)
    static func inputTile(_ d: (Int, Int) -> SIMD8<Float>, _ store: (Int, SIMD8<Float>) -> Void,
                          work t: UnsafeMutablePointer<SIMD8<Float>>) {
        for j in 0..<6 {
            (t[j], t[6 + j], t[12 + j], t[18 + j], t[24 + j], t[30 + j])
                = input1D(d(0, j), d(1, j), d(2, j), d(3, j), d(4, j), d(5, j))
        }
        for i in 0..<6 {
            let v = input1D(t[6 * i], t[6 * i + 1], t[6 * i + 2], t[6 * i + 3], t[6 * i + 4], t[6 * i + 5])
            store(6 * i, v.0); store(6 * i + 1, v.1); store(6 * i + 2, v.2)
            store(6 * i + 3, v.3); store(6 * i + 4, v.4); store(6 * i + 5, v.5)
        }
    }

    /// Aᵀ x for one column or row.
    @inline(__always)
    private static func output1D(_ x0: SIMD8<Float>, _ x1: SIMD8<Float>, _ x2: SIMD8<Float>, _ x3: SIMD8<Float>,
                                 _ x4: SIMD8<Float>, _ x5: SIMD8<Float>)
        -> (SIMD8<Float>, SIMD8<Float>, SIMD8<Float>, SIMD8<Float>) {
        let s = x1 + x2, d = x1 - x2, s2 = x3 + x4, d2 = x3 - x4
        return (x0 + s + s2, d + SIMD8(repeating: 2) * d2, s + SIMD8(repeating: 4) * s2, d + SIMD8(repeating: 8) * d2 + x5)
    }

    @inline(__always)
    static func outputTile(_ mm: (Int) -> SIMD8<Float>, into y: UnsafeMutablePointer<SIMD8<Float>>,
                           work t: UnsafeMutablePointer<SIMD8<Float>>) {
        for j in 0..<6 {
            (t[j], t[6 + j], t[12 + j], t[18 + j]) = output1D(mm(j), mm(6 + j), mm(12 + j), mm(18 + j), mm(24 + j), mm(30 + j))
        }
        for i in 0..<4 {
            (y[4 * i], y[4 * i + 1], y[4 * i + 2], y[4 * i + 3])
                = output1D(t[6 * i], t[6 * i + 1], t[6 * i + 2], t[6 * i + 3], t[6 * i + 4], t[6 * i + 5])
        }
    }
}
