import Testing
@testable import Runtime

/// One convolution case: geometry, fused epilogue, seed. Runs
/// `PackedConvolution` against a `Double` reference (XNNPACK's tester style).
struct ConvolutionCase: CustomStringConvertible {
    var batch = 1, inChannels = 3, outChannels = 4, inH = 5, inW = 5
    var kernelH = 3, kernelW = 3, strideH = 1, strideW = 1
    var padTop = 0, padLeft = 0, padBottom = 0, padRight = 0
    var dilationH = 1, dilationW = 1, groups = 1
    var bias = true, residual = false, relu = false
    /// A per-channel `x · scale + shift` after the residual (packed GEMM and pixel panels only).
    var scaleShift = false
    /// The output buffer starts as the residual and is passed as both (an in-place add).
    var inPlace = false
    /// `.packedGEMM`, `.pixelPanels`, `.winograd2x2` or `.winograd4x4`.
    var algorithm = ConvAlgorithm.packedGEMM
    var seed: UInt64 = 1
    /// Floats the scratch pointer is moved past the array's start (kernels
    /// must not assume more than `Float` alignment of their scratch).
    var scratchOffset = 0
    /// The microkernels the convolution runs with.
    var isa = VectorISA.host

    var description: String {
        "batch=\(batch) in=\(inChannels)x\(inH)x\(inW) out=\(outChannels) kernel=\(kernelH)x\(kernelW) "
            + "stride=\(strideH)x\(strideW) pad=\(padTop),\(padLeft),\(padBottom),\(padRight) "
            + "dilation=\(dilationH)x\(dilationW) groups=\(groups) bias=\(bias) residual=\(residual) relu=\(relu) seed=\(seed)"
    }

    var geometry: ConvGeometry {
        let outH = (inH + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1
        let outW = (inW + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1
        return ConvGeometry(batch: batch, inChannels: inChannels, inH: inH, inW: inW, outChannels: outChannels,
                            outH: outH, outW: outW, kernelH: kernelH, kernelW: kernelW, strideH: strideH,
                            strideW: strideW, padTop: padTop, padLeft: padLeft, dilationH: dilationH,
                            dilationW: dilationW, groups: groups)
    }

    /// Random operands: input, OIHW weights, bias, residual.
    func operands() -> (input: [Float], weights: [Float], bias: [Float], residual: [Float]) {
        let g = geometry
        var rng = SplitMix64(seed: seed)
        let input = (0..<(batch * inChannels * inH * inW)).map { _ in rng.nextFloat() }
        let weights = (0..<(outChannels * inChannels / groups * kernelH * kernelW)).map { _ in rng.nextFloat() }
        let bias = (0..<outChannels).map { _ in rng.nextFloat() }
        let residual = (0..<(batch * outChannels * g.outH * g.outW)).map { _ in rng.nextFloat() }
        return (input, weights, bias, residual)
    }

    /// The per-channel scale and shift (their own stream, so `operands` stays as it was).
    func scaleShiftOperands() -> (scale: [Float], shift: [Float]) {
        var rng = SplitMix64(seed: seed &+ 0x5CA1E)
        return ((0..<outChannels).map { _ in rng.nextFloat() }, (0..<outChannels).map { _ in rng.nextFloat() })
    }

    /// `PackedConvolution.run` on garbage-filled (NaN) output and scratch.
    func runPacked(threads: Int) -> [Float] {
        let g = geometry
        let (input, weights, bias, residual) = operands()
        let (scale, shift) = scaleShiftOperands()
        let tile = algorithm.winogradTile
        let pixelPanels = algorithm == .pixelPanels
        let packed = tile.map { WinogradConvolution.packWeights(weights, geometry: g, tile: $0) }
            ?? (pixelPanels ? PixelPanelConvolution.packWeights(weights, geometry: g)
                            : PackedConvolution.packWeights(weights, geometry: g))
        #expect(packed.count == tile.map { WinogradConvolution.packedWeightCount(geometry: g, tile: $0) }
            ?? (pixelPanels ? PixelPanelConvolution.packedWeightCount(geometry: g)
                            : PackedConvolution.packedWeightCount(geometry: g)))
        var output = inPlace ? residual : [Float](repeating: .nan, count: batch * outChannels * g.outH * g.outW)
        var scratch = [Float](repeating: .nan,
                              count: scratchOffset + (tile.map { WinogradConvolution.scratchFloats(geometry: g, tile: $0, threads: threads) }
                                  ?? (pixelPanels ? PixelPanelConvolution.scratchFloats(geometry: g, threads: threads)
                                                  : PackedConvolution.scratchFloats(geometry: g, threads: threads))))
        scale.withUnsafeBufferPointer { sc in
            shift.withUnsafeBufferPointer { sh in
                let scaleShiftPointers = (sc.baseAddress!, sh.baseAddress!)
                packed.withUnsafeBufferPointer { w in
                    bias.withUnsafeBufferPointer { b in
                        input.withUnsafeBufferPointer { x in
                            residual.withUnsafeBufferPointer { r in
                                output.withUnsafeMutableBufferPointer { y in
                                    scratch.withUnsafeMutableBufferPointer { s in
                                        let scaleShift = self.scaleShift ? (scale: scaleShiftPointers.0, shift: scaleShiftPointers.1) : nil
                                        let residualPointer = self.residual ? (inPlace ? UnsafePointer(y.baseAddress) : r.baseAddress) : nil
                                        if let tile {
                                            WinogradConvolution.run(geometry: g, tile: tile, packedWeights: w.baseAddress!,
                                                                    bias: self.bias ? b.baseAddress : nil, input: x.baseAddress!,
                                                                    residual: residualPointer, relu: relu, output: y.baseAddress!,
                                                                    scratch: s.baseAddress! + scratchOffset, threads: threads,
                                                                    isa: isa)
                                        } else {
                                            // Both GEMMs take the same arguments.
                                            let run = pixelPanels ? PixelPanelConvolution.run : PackedConvolution.run
                                            run(g, w.baseAddress!, self.bias ? b.baseAddress : nil, x.baseAddress!,
                                                residualPointer, scaleShift, relu, y.baseAddress!,
                                                s.baseAddress! + scratchOffset, threads, isa)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return output
    }

    /// Direct convolution in `Double`.
    func reference() -> [Double] {
        let g = geometry
        let (input, weights, bias, residual) = operands()
        let (scale, shift) = scaleShiftOperands()
        let cinG = inChannels / groups, coutG = outChannels / groups
        var out = [Double](repeating: 0, count: batch * outChannels * g.outH * g.outW)
        for b in 0..<batch {
            for o in 0..<outChannels {
                let grp = o / coutG
                for oh in 0..<g.outH {
                    for ow in 0..<g.outW {
                        var sum = self.bias ? Double(bias[o]) : 0
                        for ci in 0..<cinG {
                            for kh in 0..<kernelH {
                                let ih = oh * strideH - padTop + kh * dilationH
                                if ih < 0 || ih >= inH { continue }
                                for kw in 0..<kernelW {
                                    let iw = ow * strideW - padLeft + kw * dilationW
                                    if iw < 0 || iw >= inW { continue }
                                    let x = input[((b * inChannels + grp * cinG + ci) * inH + ih) * inW + iw]
                                    let w = weights[((o * cinG + ci) * kernelH + kh) * kernelW + kw]
                                    sum += Double(x) * Double(w)
                                }
                            }
                        }
                        let index = ((b * outChannels + o) * g.outH + oh) * g.outW + ow
                        if self.residual { sum += Double(residual[index]) }
                        if scaleShift { sum = sum * Double(scale[o]) + Double(shift[o]) }
                        out[index] = relu ? max(sum, 0) : sum
                    }
                }
            }
        }
        return out
    }

    /// Checks `run` against the reference: max abs error ≤ 1e-4 · max |ref|.
    func check(threads: Int = 1) {
        let got = runPacked(threads: threads)
        let want = reference()
        let scale = max(want.map { abs($0) }.max() ?? 0, 1e-30)
        var worst = 0
        var worstError = -1.0
        for i in want.indices {
            let error = abs(Double(got[i]) - want[i])
            if !(error <= worstError) { worst = i; worstError = error }  // NaN counts as worst
        }
        #expect(worstError <= 1e-4 * scale,
                "\(self) threads=\(threads): index \(worst) got \(got[worst]) want \(want[worst]) (max |ref| \(scale))")
    }
}

/// A small deterministic generator (values in [-1, 1)).
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextFloat() -> Float { Float(next() >> 40) / Float(1 << 23) - 1 }
}

@Suite struct PackedConvolutionTests {
    @Test func pointwiseEdges() {
        // M < MR, M = MR + 1, N mod NR ≠ 0, N < NR, K = 1.
        for (cin, cout, h, w) in [(1, 1, 1, 1), (1, 5, 3, 7), (4, 7, 5, 5), (16, 13, 4, 4), (3, 6, 4, 4), (8, 70, 9, 9)] {
            ConvolutionCase(inChannels: cin, outChannels: cout, inH: h, inW: w, kernelH: 1, kernelW: 1).check()
        }
    }

    @Test func pointwisePanelsPackedForManyChannelPanels() {
        // Channel blocks of ≥ 16 panels pack their B panels: full and partial
        // pixel panels (33×31 pixels), two K blocks (K = 400), residual in
        // place; three channel blocks of two 64-pixel groups, so a worker's
        // next task reuses the block its last one packed.
        let c = ConvolutionCase(batch: 2, inChannels: 400, outChannels: 300, inH: 33, inW: 31, kernelH: 1, kernelW: 1,
                                residual: true, relu: true, inPlace: true, seed: 21)
        let tiling = ConvTiling(geometry: c.geometry, threads: 1)
        #expect(tiling.pointwise && tiling.kc < tiling.k && tiling.mc >= PackedConvolution.packedPanelCalls * 6)
        #expect(tiling.mBlocks == 3 && tiling.nc == 128)
        c.check(threads: 1)
        c.check(threads: 2)
    }

    @Test func stridedPanelsPackedPerImage() {
        // A strided 1x1's subsampled copy lies at the same address for every
        // image: the block packed from image 0 (one pixel block, sixteen
        // channel blocks) must not serve image 1.
        let c = ConvolutionCase(batch: 2, inChannels: 16, outChannels: 1600, inH: 16, inW: 16, kernelH: 1, kernelW: 1,
                                strideH: 2, strideW: 2, seed: 22)
        let tiling = ConvTiling(geometry: c.geometry, threads: 1)
        #expect(tiling.subsampled && tiling.nBlocks == 1 && tiling.mBlocks > 1)
        #expect(tiling.mc >= PackedConvolution.packedPanelCalls * 6)
        c.check(threads: 1)
        c.check(threads: 2)
    }

    @Test func threeByThree() {
        ConvolutionCase(inChannels: 3, outChannels: 4, inH: 5, inW: 5, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1).check()
        ConvolutionCase(inChannels: 8, outChannels: 17, inH: 14, inW: 14, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1).check()
        ConvolutionCase(inChannels: 5, outChannels: 9, inH: 7, inW: 7).check()
        ConvolutionCase(inChannels: 2, outChannels: 3, inH: 1, inW: 1, padTop: 1, padLeft: 1, padBottom: 1, padRight: 1).check()
    }

    @Test func stridesAndAsymmetricPadding() {
        ConvolutionCase(inChannels: 4, outChannels: 8, inH: 9, inW: 11, strideH: 2, strideW: 2,
                        padTop: 1, padLeft: 1, padBottom: 1, padRight: 1).check()
        ConvolutionCase(inChannels: 3, outChannels: 5, inH: 8, inW: 8, strideH: 2, strideW: 1,
                        padTop: 0, padLeft: 1, padBottom: 1, padRight: 0).check()
        ConvolutionCase(inChannels: 3, outChannels: 5, inH: 10, inW: 13, strideH: 3, strideW: 3,
                        padTop: 2, padLeft: 0, padBottom: 0, padRight: 2).check()
        // Strided 1x1 (ResNet downsample) and padded 1x1.
        ConvolutionCase(inChannels: 12, outChannels: 20, inH: 9, inW: 9, kernelH: 1, kernelW: 1, strideH: 2, strideW: 2).check()
        ConvolutionCase(inChannels: 4, outChannels: 4, inH: 3, inW: 3, kernelH: 1, kernelW: 1,
                        padTop: 1, padLeft: 1, padBottom: 1, padRight: 1).check()
    }

    @Test func sevenBySevenStem() {
        ConvolutionCase(inChannels: 3, outChannels: 64, inH: 32, inW: 32, kernelH: 7, kernelW: 7, strideH: 2, strideW: 2,
                        padTop: 3, padLeft: 3, padBottom: 3, padRight: 3).check(threads: 2)
    }

    @Test func dilation() {
        ConvolutionCase(inChannels: 4, outChannels: 6, inH: 11, inW: 11, padTop: 2, padLeft: 2, padBottom: 2,
                        padRight: 2, dilationH: 2, dilationW: 2).check()
        ConvolutionCase(inChannels: 3, outChannels: 7, inH: 9, inW: 12, strideH: 2, strideW: 2, dilationH: 2, dilationW: 1).check()
    }

    @Test func groups() {
        ConvolutionCase(inChannels: 8, outChannels: 10, inH: 6, inW: 6, padTop: 1, padLeft: 1, padBottom: 1,
                        padRight: 1, groups: 2).check()
        ConvolutionCase(inChannels: 64, outChannels: 64, inH: 7, inW: 7, padTop: 1, padLeft: 1, padBottom: 1,
                        padRight: 1, groups: 32, residual: true, relu: true).check(threads: 3)
    }

    @Test func batchAndEpilogue() {
        for (bias, residual, relu) in [(false, false, false), (true, false, true), (false, true, false), (true, true, true)] {
            ConvolutionCase(batch: 2, inChannels: 6, outChannels: 13, inH: 6, inW: 7, padTop: 1, padLeft: 1,
                            padBottom: 1, padRight: 1, bias: bias, residual: residual, relu: relu, seed: 7).check(threads: 2)
            ConvolutionCase(batch: 2, inChannels: 6, outChannels: 12, inH: 8, inW: 8, kernelH: 1, kernelW: 1,
                            bias: bias, residual: residual, relu: relu, seed: 8).check()
        }
    }

    @Test func longReductionSpansKBlocks() {
        // K = 40 · 9 = 360 > kc: the second K block accumulates onto the first.
        ConvolutionCase(inChannels: 40, outChannels: 14, inH: 6, inW: 6, padTop: 1, padLeft: 1, padBottom: 1,
                        padRight: 1, residual: true, relu: true, seed: 3).check(threads: 2)
        ConvolutionCase(inChannels: 600, outChannels: 7, inH: 5, inW: 5, kernelH: 1, kernelW: 1, seed: 4).check()
    }

    @Test func outputMayAliasItsResidual() {
        // In-place residual add across several K blocks (K = 40·9 = 360, and 1x1 with K = 700).
        ConvolutionCase(inChannels: 40, outChannels: 14, inH: 6, inW: 6, padTop: 1, padLeft: 1, padBottom: 1,
                        padRight: 1, residual: true, relu: true, inPlace: true, seed: 5).check(threads: 2)
        ConvolutionCase(inChannels: 700, outChannels: 13, inH: 5, inW: 7, kernelH: 1, kernelW: 1, residual: true,
                        inPlace: true, seed: 6).check(threads: 3)
    }

    @Test func bitwiseIdenticalForAnyThreadCount() {
        let cases = [
            ConvolutionCase(inChannels: 40, outChannels: 70, inH: 14, inW: 14, padTop: 1, padLeft: 1, padBottom: 1,
                            padRight: 1, residual: true, relu: true, seed: 11),
            ConvolutionCase(inChannels: 300, outChannels: 64, inH: 7, inW: 7, kernelH: 1, kernelW: 1, seed: 12),
            ConvolutionCase(batch: 2, inChannels: 3, outChannels: 16, inH: 20, inW: 20, kernelH: 7, kernelW: 7,
                            strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3, seed: 13),
        ]
        for c in cases {
            let one = c.runPacked(threads: 1).map(\.bitPattern)
            for threads in [2, 3, 8] {
                let many = c.runPacked(threads: threads).map(\.bitPattern)
                let first = one.indices.first { one[$0] != many[$0] }
                #expect(first == nil, "\(c) threads=\(threads): first difference at \(first ?? -1)")
            }
        }
    }

    @Test func winogradMatchesTheReference() {
        // Odd and even output sizes, 1x1 to 9x11 maps, every padding, channel
        // counts off the 6/16 grid, batch 2, every epilogue, in place.
        var cases: [ConvolutionCase] = []
        for (h, w, pad) in [(1, 1, 1), (2, 2, 1), (5, 7, 1), (9, 11, 1), (6, 6, 0), (7, 7, 1), (16, 18, 1)] {
            for (cin, cout) in [(1, 1), (3, 5), (8, 13), (20, 7)] {
                cases.append(ConvolutionCase(inChannels: cin, outChannels: cout, inH: h, inW: w, padTop: pad, padLeft: pad,
                                             padBottom: pad, padRight: pad, seed: UInt64(h * 100 + cin)))
            }
        }
        cases.append(ConvolutionCase(batch: 2, inChannels: 9, outChannels: 8, inH: 10, inW: 9, padTop: 2, padLeft: 0,
                                     padBottom: 1, padRight: 2, residual: true, relu: true, seed: 7))
        cases.append(ConvolutionCase(inChannels: 64, outChannels: 64, inH: 14, inW: 14, padTop: 1, padLeft: 1,
                                     padBottom: 1, padRight: 1, residual: true, relu: true, inPlace: true, seed: 8))
        cases.append(ConvolutionCase(batch: 3, inChannels: 16, outChannels: 20, inH: 30, inW: 37, padTop: 1, padLeft: 1,
                                     padBottom: 1, padRight: 1, residual: true, relu: true, seed: 9))
        for algorithm in [ConvAlgorithm.winograd2x2, .winograd4x4] {
            for var c in cases {
                c.algorithm = algorithm
                c.check(threads: 1)
                c.check(threads: 3)
            }
        }
    }

    @Test(arguments: [ConvAlgorithm.packedGEMM, .pixelPanels, .winograd2x2, .winograd4x4])
    func scratchNeedsOnlyFloatAlignment(algorithm: ConvAlgorithm) {
        let pointwise = algorithm == .pixelPanels
        var c = ConvolutionCase(batch: 2, inChannels: 12, outChannels: 20, inH: 9, inW: 9,
                                kernelH: pointwise ? 1 : 3, kernelW: pointwise ? 1 : 3, padTop: pointwise ? 0 : 1,
                                padLeft: pointwise ? 0 : 1, padBottom: pointwise ? 0 : 1, padRight: pointwise ? 0 : 1,
                                residual: true, relu: true, seed: 41)
        c.algorithm = algorithm
        let aligned = c.runPacked(threads: 2)
        for offset in [1, 3, 7] {
            c.scratchOffset = offset
            #expect(c.runPacked(threads: 2) == aligned, "scratch offset \(offset)")
        }
    }

    @Test func pixelPanelsMatchTheReference() {
        // Maps whose pixel count is and is not a multiple of 6, strides 1 and
        // 2, channel counts off the 16 grid, K spanning several K blocks (of
        // both sizes: 7x7 maps and smaller take the small map's), batch 2,
        // every epilogue, in place.
        var cases: [ConvolutionCase] = []
        for (h, w, stride) in [(1, 1, 1), (7, 7, 1), (6, 4, 1), (14, 14, 2), (5, 9, 2), (10, 10, 1)] {
            for (cin, cout) in [(1, 1), (3, 17), (300, 40), (64, 130)] {
                cases.append(ConvolutionCase(inChannels: cin, outChannels: cout, inH: h, inW: w, kernelH: 1, kernelW: 1,
                                             strideH: stride, strideW: stride, seed: UInt64(h * 1000 + cin)))
            }
        }
        cases.append(ConvolutionCase(batch: 2, inChannels: 260, outChannels: 70, inH: 7, inW: 7, kernelH: 1, kernelW: 1,
                                     residual: true, relu: true, inPlace: true, seed: 11))
        cases.append(ConvolutionCase(batch: 3, inChannels: 20, outChannels: 33, inH: 8, inW: 6, kernelH: 1, kernelW: 1,
                                     strideH: 2, strideW: 2, residual: true, relu: true, seed: 12))
        // Batches in passes of two images (20x20 maps) with a last pass of one, in place and through the copy.
        cases.append(ConvolutionCase(batch: 3, inChannels: 24, outChannels: 40, inH: 20, inW: 20, kernelH: 1, kernelW: 1,
                                     residual: true, relu: true, inPlace: true, seed: 17))
        cases.append(ConvolutionCase(batch: 3, inChannels: 10, outChannels: 20, inH: 40, inW: 40, strideH: 2, strideW: 2,
                                     padTop: 1, padLeft: 1, padBottom: 1, padRight: 1, residual: true, seed: 18))
        // Through the polyphase copy: strided and stride-1 3x3, asymmetric padding, dilation, the 7x7/2 stem.
        cases.append(ConvolutionCase(inChannels: 40, outChannels: 36, inH: 14, inW: 14, strideH: 2, strideW: 2, padTop: 1,
                                     padLeft: 1, padBottom: 1, padRight: 1, residual: true, relu: true, seed: 13))
        cases.append(ConvolutionCase(batch: 2, inChannels: 17, outChannels: 20, inH: 9, inW: 11, padTop: 2, padLeft: 0,
                                     padBottom: 1, padRight: 2, seed: 14))
        cases.append(ConvolutionCase(inChannels: 8, outChannels: 16, inH: 12, inW: 10, padTop: 2, padLeft: 2, padBottom: 2,
                                     padRight: 2, dilationH: 2, dilationW: 2, relu: true, seed: 15))
        cases.append(ConvolutionCase(inChannels: 3, outChannels: 10, inH: 23, inW: 23, kernelH: 7, kernelW: 7, strideH: 2,
                                     strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3, seed: 16))
        for var c in cases {
            c.algorithm = .pixelPanels
            c.check(threads: 1)
            c.check(threads: 3)
        }
    }

    @Test func pixelPanelsAreBitwiseIdenticalForAnyThreadCount() {
        for kernel in [1, 3] {
            var c = ConvolutionCase(batch: 2, inChannels: 300, outChannels: 200, inH: 14, inW: 14, kernelH: kernel,
                                    kernelW: kernel, strideH: 2, strideW: 2, padTop: kernel / 2, padLeft: kernel / 2,
                                    padBottom: kernel / 2, padRight: kernel / 2, residual: true, relu: true, seed: 31)
            c.algorithm = .pixelPanels
            let one = c.runPacked(threads: 1)
            for threads in [2, 3, 8] { #expect(c.runPacked(threads: threads) == one, "kernel \(kernel) threads \(threads)") }
        }
    }

    @Test func pixelPanelsSplitPixelsWhenTheInputOutweighsTheWeights() {
        // 3x3/2 at 40→20 with few channels: the polyphase copy (10·4·21·21
        // floats) outweighs the weights (32·90), so tasks are pixel parts ×
        // channel blocks; a partial last pixel panel (400 = 66·6 + 4).
        var c = ConvolutionCase(inChannels: 10, outChannels: 20, inH: 40, inW: 40, strideH: 2, strideW: 2, padTop: 1,
                                padLeft: 1, padBottom: 1, padRight: 1, residual: true, relu: true, seed: 19)
        c.algorithm = .pixelPanels
        let tiling = ConvTiling(geometry: c.geometry, threads: 2)
        #expect(PixelPanelConvolution.pixelParts(tiling, threads: 2) == 4)
        #expect(PixelPanelConvolution.pixelParts(tiling, threads: 1) == 1)
        c.check(threads: 2)
        let one = c.runPacked(threads: 1)
        for threads in [2, 3, 8] { #expect(c.runPacked(threads: threads) == one, "threads \(threads)") }
    }

    @Test(arguments: [(ConvAlgorithm.winograd2x2, 7), (.winograd4x4, 14)])
    func winogradSharesOneVOnOneBlockMaps(algorithm: ConvAlgorithm, size: Int) {
        // Batch 1, 4×4 tiles: one block split over channel panels, its V
        // transformed by all workers in channel ranges. 16 tiles in rows of
        // 16 floats, so each range's last channel stores only up to its row's
        // end (a whole vector would run into the next range's first channel).
        var c = ConvolutionCase(inChannels: 64, outChannels: 256, inH: size, inW: size, padTop: 1, padLeft: 1,
                                padBottom: 1, padRight: 1, residual: true, relu: true, seed: 23)
        c.algorithm = algorithm
        let tile = algorithm.winogradTile ?? .f4x4
        #expect(WinogradBlocking(geometry: c.geometry, tile: tile, threads: 2).sharesInput)
        #expect(!WinogradBlocking(geometry: c.geometry, tile: tile, threads: 1).sharesInput)
        c.check(threads: 2)
        let one = c.runPacked(threads: 1)
        for threads in [2, 3, 8] { #expect(c.runPacked(threads: threads) == one, "threads \(threads)") }
    }

    @Test func sharedVChannelRangesNeverWriteIntoEachOther() {
        // The ranges of a shared V run in any order on any core: transformed
        // last range first, V must be what one pass over all channels gives.
        // 16 tiles in rows of 16 floats: a range's last channel must not store
        // a whole vector at its row's end, which would land in the next range.
        let g = ConvGeometry(batch: 1, inChannels: 64, inH: 14, inW: 14, outChannels: 256, outH: 14, outW: 14,
                             kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1, dilationH: 1,
                             dilationW: 1, groups: 1)
        let b = WinogradBlocking(geometry: g, tile: .f4x4, threads: 2)
        #expect(b.sharesInput && b.rowLength == b.tilesH * b.tilesW)
        var random = SplitMix64(seed: 29)
        let input = (0..<g.inChannels * g.inH * g.inW).map { _ in random.nextFloat() }
        func transformed(_ ranges: [Range<Int>]) -> [Float] {
            var scratch = [Float](repeating: 0, count: b.scratchFloats)
            input.withUnsafeBufferPointer { x in
                scratch.withUnsafeMutableBufferPointer { s in
                    let work = WinogradConvolution.Work(b: b, weights: x.baseAddress!, input: x.baseAddress!, residual: nil,
                                                        output: s.baseAddress!, epilogue: .init(bias: nil, relu: false),
                                                        wide: false)
                    let task = WinogradConvolution.TaskScratch(b, scratch: s.baseAddress!, worker: 0)
                    for channels in ranges {
                        work.transformInput(WinogradF4.self, channels: channels, image: 0, firstRow: 0, rows: b.tilesH, task)
                    }
                }
            }
            return Array(scratch[0..<b.vFloats])
        }
        #expect(transformed([48..<64, 32..<48, 16..<32, 0..<16]) == transformed([0..<64]))
    }

    @Test(arguments: [ConvAlgorithm.winograd2x2, .winograd4x4])
    func winogradIsBitwiseIdenticalForAnyThreadCount(algorithm: ConvAlgorithm) {
        // Maps large enough that the blocking (rows per block, channel splits) changes with the thread count.
        for (h, w, channels) in [(15, 14, 40), (56, 56, 16), (28, 30, 70)] {
            var c = ConvolutionCase(batch: 2, inChannels: channels, outChannels: 70, inH: h, inW: w, padTop: 1, padLeft: 1,
                                    padBottom: 1, padRight: 1, residual: true, relu: true, seed: 21)
            c.algorithm = algorithm
            let one = c.runPacked(threads: 1)
            for threads in [2, 3, 8] { #expect(c.runPacked(threads: threads) == one, "\(c) threads \(threads)") }
        }
    }
}
