import Runtime

/// Chooses a convolution algorithm for each geometry and packs its weights
/// into that algorithm's layout at compile time.
enum ConvolutionSelection {
    /// The algorithm a conv of this geometry runs with.
    static func algorithm(for geometry: ConvGeometry, packed: Bool) -> ConvAlgorithm {
        .direct
    }

    /// OIHW weights in `algorithm`'s layout.
    static func pack(_ oihw: [Float], geometry: ConvGeometry, algorithm: ConvAlgorithm) -> [Float] {
        switch algorithm {
        case .direct: oihw
        }
    }
}
