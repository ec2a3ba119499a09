import Runtime

/// Chooses a convolution algorithm for each geometry and packs its weights
/// into that algorithm's layout at compile time.
enum ConvolutionSelection {
    /// The algorithm a conv of this geometry runs with: the packed GEMM
    /// whenever packed kernels are allowed (it handles every geometry).
    static func algorithm(for geometry: ConvGeometry, packed: Bool) -> ConvAlgorithm {
        packed ? .packedGEMM : .direct
    }

    /// OIHW weights in `algorithm`'s layout.
    static func pack(_ oihw: [Float], geometry: ConvGeometry, algorithm: ConvAlgorithm) -> [Float] {
        switch algorithm {
        case .direct: oihw
        case .packedGEMM: PackedConvolution.packWeights(oihw, geometry: geometry)
        }
    }
}
