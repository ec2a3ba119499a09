import Runtime

/// Chooses a convolution algorithm for each geometry and packs its weights
/// into that algorithm's layout at compile time.
enum ConvolutionSelection {
    /// Largest output map (pixels) Winograd runs on. Measured on 2 threads
    /// (effective GFLOP/s, Winograd vs packed GEMM): 7x7 512ch 124 vs 105,
    /// 14x14 256ch 120 vs 113, 28x28 128ch 99 vs 104, 56x56 64ch 70 vs 123 —
    /// on large maps its whole-image transforms outgrow the caches.
    static let winogradMaxPixels = 14 * 14

    /// The algorithm a conv of this geometry runs with: Winograd F(2×2, 3×3)
    /// for stride-1 3x3 convolutions on small maps, else the packed GEMM (it
    /// handles every geometry); `.direct` when packed kernels are not allowed
    /// (`-O0`).
    static func algorithm(for geometry: ConvGeometry, packed: Bool) -> ConvAlgorithm {
        guard packed else { return .direct }
        let small = geometry.outH * geometry.outW <= winogradMaxPixels
        return WinogradConvolution.supports(geometry) && small ? .winograd : .packedGEMM
    }

    /// OIHW weights in `algorithm`'s layout.
    static func pack(_ oihw: [Float], geometry: ConvGeometry, algorithm: ConvAlgorithm) -> [Float] {
        switch algorithm {
        case .direct: oihw
        case .packedGEMM: PackedConvolution.packWeights(oihw, geometry: geometry)
        case .winograd: WinogradConvolution.packWeights(oihw, geometry: geometry)
        }
    }
}
