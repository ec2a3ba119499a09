import Runtime

/// Chooses a convolution algorithm for each geometry and packs its weights
/// into that algorithm's layout at compile time.
enum ConvolutionSelection {
    /// Smallest output map (pixels) F(4×4, 3×3) runs on; below it, F(2×2, 3×3).
    /// Measured on 2 threads, batch 1 (effective GFLOP/s — direct-convolution
    /// FLOPs over time — F(4×4) / F(2×2) / packed GEMM):
    ///
    /// | map, channels | F(4×4) | F(2×2) | GEMM |
    /// |---|---|---|---|
    /// | 56x56, 64 | 318–328 | 128 | 152 |
    /// | 28x28, 128 | 336–349 | 167 | 140 |
    /// | 14x14, 256 | 298–305 | 197 | 137 |
    /// | 7x7, 512 | 97 | 208–223 | 117 |
    ///
    /// A 7x7 map is four 4×4 tiles, too few columns for the 16-wide microkernel.
    static let winograd4x4MinPixels = 14 * 14

    /// The algorithm a conv of this geometry runs with: Winograd for
    /// stride-1 3x3 convolutions (F(4×4) on large maps, F(2×2) on small
    /// ones), else the packed GEMM (it handles every geometry); `.direct`
    /// when packed kernels are not allowed (`-O0`).
    static func algorithm(for geometry: ConvGeometry, packed: Bool) -> ConvAlgorithm {
        guard packed else { return .direct }
        guard WinogradConvolution.supports(geometry) else { return .packedGEMM }
        return geometry.outH * geometry.outW >= winograd4x4MinPixels ? .winograd4x4 : .winograd2x2
    }

    /// OIHW weights in `algorithm`'s layout.
    static func pack(_ oihw: [Float], geometry: ConvGeometry, algorithm: ConvAlgorithm) -> [Float] {
        switch algorithm {
        case .direct: oihw
        case .packedGEMM: PackedConvolution.packWeights(oihw, geometry: geometry)
        case .winograd2x2: WinogradConvolution.packWeights(oihw, geometry: geometry, tile: .f2x2)
        case .winograd4x4: WinogradConvolution.packWeights(oihw, geometry: geometry, tile: .f4x4)
        }
    }
}
