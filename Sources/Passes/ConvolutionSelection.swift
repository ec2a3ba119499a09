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

    /// Whether a convolution runs with pixels as the GEMM's rows
    /// (`PixelPanelConvolution`): a 1x1 on 7x7 maps always, on 14x14 maps
    /// when it reduces channels; any other (not Winograd) on maps up to 28x28.
    /// Measured on 2 threads (GFLOP/s, pixel panels vs packed GEMM): 1x1 7x7
    /// 2048→512 159 vs 90, 512→2048 151 vs 120; 14→7 stride 2 1024→2048 150
    /// vs 115; 14x14 1024→256 172 vs 147, 1024→512 171 vs 157, but 256→1024
    /// 153 vs 168; 28x28 512→128 165 vs 164; 56x56 256→256 134 vs 179. 3x3
    /// stride 2: 14→7 512 137 vs 118, 28→14 256 149 vs 134, 56→28 128 146 vs
    /// 124; but the 7x7/2 stem (112x112, K = 147) 61 vs 143.
    static func prefersPixelPanels(_ g: ConvGeometry) -> Bool {
        let pixels = g.outH * g.outW
        guard PixelPanelConvolution.supports(g) else { return false }
        if g.kernelH == 1 && g.kernelW == 1 && g.padTop == 0 && g.padLeft == 0 {
            return pixels <= 7 * 7 || pixels <= 14 * 14 && g.inChannels > g.outChannels
        }
        return pixels <= 28 * 28 && !WinogradConvolution.supports(g)
    }

    /// The algorithm a conv of this geometry runs with: Winograd for
    /// stride-1 3x3 convolutions (F(4×4) on large maps, F(2×2) on small
    /// ones), pixel panels for 1x1 convolutions on small maps, else the
    /// packed GEMM (it handles every geometry); `.direct` when packed kernels
    /// are not allowed (`-O0`).
    static func algorithm(for geometry: ConvGeometry, packed: Bool) -> ConvAlgorithm {
        guard packed else { return .direct }
        if prefersPixelPanels(geometry) { return .pixelPanels }
        guard WinogradConvolution.supports(geometry) else { return .packedGEMM }
        return geometry.outH * geometry.outW >= winograd4x4MinPixels ? .winograd4x4 : .winograd2x2
    }

    /// OIHW weights in `algorithm`'s layout.
    static func pack(_ oihw: [Float], geometry: ConvGeometry, algorithm: ConvAlgorithm) -> [Float] {
        switch algorithm {
        case .direct: oihw
        case .packedGEMM: PackedConvolution.packWeights(oihw, geometry: geometry)
        case .winograd2x2: WinogradConvolution.packWeights(oihw, geometry: geometry, tile: .f2x2)
        case .pixelPanels: PixelPanelConvolution.packWeights(oihw, geometry: geometry)
        case .winograd4x4: WinogradConvolution.packWeights(oihw, geometry: geometry, tile: .f4x4)
        }
    }
}
