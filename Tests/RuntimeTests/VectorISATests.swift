import Testing
@testable import Runtime

/// The AVX-512 microkernels against the AVX2 one: the same FMAs in the same
/// order per element, so the same bits, and within tolerance of the
/// reference. Needs an AVX-512 processor; elsewhere (or with
/// `RESNETC_ISA=avx2`) `VectorISA.host` is `.avx2`, and the rest of the
/// suite tests that path alone.
@Suite(.enabled(if: VectorISA.host == .avx512, "AVX-512 kernels off: no AVX-512, or RESNETC_ISA=avx2"))
struct VectorISATests {
    /// Cases that reach every branch of the wide paths: four whole 16-pixel
    /// panels and leftovers, B read in place (few channels per task),
    /// packed (many) and through the offset table, A panels of fewer than
    /// six rows (five and at most four), several K blocks,
    /// every epilogue (in place too); pixel panels with blocks of four
    /// channel panels and fewer, a last panel of at most four pixels, read
    /// in place, subsampled and through the offset table, at batch 2. (On
    /// one thread every packed case has tasks of 64 pixels or more.)
    static let cases: [ConvolutionCase] = {
        var packed = [
            ConvolutionCase(inChannels: 24, outChannels: 41, inH: 40, inW: 40, kernelH: 1, kernelW: 1, relu: true,
                            seed: 41),
            ConvolutionCase(inChannels: 400, outChannels: 599, inH: 16, inW: 16, kernelH: 1, kernelW: 1, residual: true,
                            relu: true, scaleShift: true, seed: 42),
            ConvolutionCase(batch: 2, inChannels: 64, outChannels: 130, inH: 16, inW: 16, kernelH: 1, kernelW: 1,
                            residual: true, relu: true, inPlace: true, seed: 43),
            ConvolutionCase(inChannels: 30, outChannels: 110, inH: 40, inW: 36, kernelH: 1, kernelW: 1, strideH: 2,
                            strideW: 2, scaleShift: true, seed: 44),
            // Through the offset table: 64 pixels inside one output row
            // (straight into the output) and across rows (the virtual C
            // block), one K block and two, a 7x7/2 stem.
            ConvolutionCase(inChannels: 3, outChannels: 20, inH: 9, inW: 140, padTop: 1, padLeft: 1, padBottom: 1,
                            padRight: 1, residual: true, relu: true, scaleShift: true, seed: 49),
            ConvolutionCase(inChannels: 40, outChannels: 11, inH: 24, inW: 30, padTop: 1, padLeft: 1, padBottom: 1,
                            padRight: 1, residual: true, seed: 50),
            ConvolutionCase(inChannels: 3, outChannels: 16, inH: 70, inW: 70, kernelH: 7, kernelW: 7, strideH: 2,
                            strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3, relu: true, seed: 51),
        ]
        var pixel = [
            ConvolutionCase(batch: 2, inChannels: 300, outChannels: 130, inH: 7, inW: 7, kernelH: 1, kernelW: 1,
                            residual: true, relu: true, inPlace: true, seed: 45),
            ConvolutionCase(inChannels: 100, outChannels: 64, inH: 14, inW: 14, kernelH: 1, kernelW: 1,
                            scaleShift: true, seed: 46),
            ConvolutionCase(inChannels: 96, outChannels: 70, inH: 14, inW: 14, kernelH: 1, kernelW: 1, strideH: 2,
                            strideW: 2, residual: true, seed: 47),
            ConvolutionCase(batch: 2, inChannels: 40, outChannels: 64, inH: 14, inW: 14, strideH: 2, strideW: 2,
                            padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, residual: true, relu: true, seed: 48),
        ]
        for i in pixel.indices { pixel[i].algorithm = .pixelPanels }
        // Winograd: groups of four U panels and single panels (a last one
        // of four channels, or too few panels left in a chunk), blocks of
        // 16 tiles and fewer, one thread and a shared V.
        var winograd = [
            ConvolutionCase(inChannels: 20, outChannels: 64, inH: 14, inW: 14, padTop: 1, padLeft: 1, padBottom: 1,
                            padRight: 1, residual: true, relu: true, seed: 52),
            ConvolutionCase(batch: 2, inChannels: 33, outChannels: 50, inH: 7, inW: 9, padTop: 1, padLeft: 1,
                            padBottom: 1, padRight: 1, relu: true, seed: 53),
            ConvolutionCase(inChannels: 16, outChannels: 130, inH: 28, inW: 28, padTop: 1, padLeft: 1, padBottom: 1,
                            padRight: 1, residual: true, seed: 54),
        ]
        winograd[0].algorithm = .winograd4x4
        winograd[1].algorithm = .winograd2x2
        winograd[2].algorithm = .winograd4x4
        return packed + pixel + winograd
    }()

    @Test(arguments: cases)
    func avx512KernelsGiveTheAVX2Bits(_ c: ConvolutionCase) {
        var wide = c, narrow = c
        (wide.isa, narrow.isa) = (.avx512, .avx2)
        wide.check(threads: 1)
        for threads in [1, 2, 3] {
            #expect(wide.runPacked(threads: threads) == narrow.runPacked(threads: threads), "\(c) threads \(threads)")
        }
    }
}
