import Testing
import Runtime

/// One convolution configuration; bottom/right padding are implied by the output size.
struct ConvCase: CustomStringConvertible, Sendable {
    var batch = 1, inC = 3, inH = 7, inW = 6, outC = 4
    var kernel = (3, 3), stride = (1, 1), dilation = (1, 1)
    var pad = (top: 1, left: 1, bottom: 1, right: 1)
    var groups = 1, bias = true, residual = false, relu = false

    var geometry: ConvGeometry {
        let outH = (inH + pad.top + pad.bottom - dilation.0 * (kernel.0 - 1) - 1) / stride.0 + 1
        let outW = (inW + pad.left + pad.right - dilation.1 * (kernel.1 - 1) - 1) / stride.1 + 1
        return ConvGeometry(batch: batch, inChannels: inC, inH: inH, inW: inW, outChannels: outC, outH: outH,
                            outW: outW, kernelH: kernel.0, kernelW: kernel.1, strideH: stride.0, strideW: stride.1,
                            padTop: pad.top, padLeft: pad.left, dilationH: dilation.0, dilationW: dilation.1,
                            groups: groups)
    }

    var description: String {
        "\(batch)x\(inC)x\(inH)x\(inW)→\(outC) k\(kernel) s\(stride) d\(dilation) p\(pad) g\(groups)"
            + "\(bias ? " bias" : "")\(residual ? " residual" : "")\(relu ? " relu" : "")"
    }
}

@Suite struct DirectConvolutionTests {
    static let cases: [ConvCase] = [
        ConvCase(),
        ConvCase(relu: true),
        ConvCase(batch: 2, inC: 5, inH: 5, inW: 5, outC: 3, kernel: (1, 1), pad: (0, 0, 0, 0), bias: false),
        ConvCase(inH: 15, inW: 13, outC: 8, kernel: (7, 7), stride: (2, 2), pad: (3, 3, 3, 3)),
        ConvCase(inC: 4, inH: 9, inW: 8, outC: 6, dilation: (2, 2), pad: (1, 0, 2, 1), groups: 2),
        ConvCase(inC: 6, inH: 8, inW: 9, outC: 6, stride: (2, 1), pad: (0, 2, 1, 0), groups: 6, relu: true),
        ConvCase(inC: 4, inH: 6, inW: 6, outC: 4, kernel: (1, 5), stride: (1, 3), dilation: (1, 2), pad: (0, 4, 0, 4)),
        ConvCase(inC: 4, inH: 6, inW: 5, outC: 4, residual: true, relu: true),
    ]

    @Test(arguments: cases)
    func matchesReference(_ c: ConvCase) throws {
        let seed: UInt64 = 17
        var random = SeededRandom(seed: seed)
        let g = c.geometry
        let x = random.floats(g.batch * g.inChannels * g.inH * g.inW)
        let w = random.floats(g.outChannels * g.inChannels / g.groups * g.kernelH * g.kernelW)
        let b = random.floats(g.outChannels)
        var builder = PlanBuilder(input: [g.batch, g.inChannels, g.inH, g.inW])
        let conv = ConvKernel(geometry: g, algorithm: .direct, weights: builder.weight(w),
                              bias: c.bias ? builder.weight(b) : nil, residual: c.residual, relu: c.relu)
        let inputs = c.residual ? [builder.inputRef, builder.inputRef] : [builder.inputRef]
        builder.step("conv", "conv", .conv(conv), inputs, shape: [g.batch, g.outChannels, g.outH, g.outW], output: 0)
        let output = try Executor(plan: builder.build(), threads: 3).run(x)[0]
        let expected = Reference.conv(x, g, weights: w, bias: c.bias ? b : nil, residual: c.residual ? x : nil,
                                      relu: c.relu)
        expectClose(output, expected, seed: seed)
    }

    @Test func kernelNamesShowShapeStrideGroupsAndDilation() {
        func name(_ c: ConvCase) -> String {
            Kernel.conv(ConvKernel(geometry: c.geometry, algorithm: .direct, weights: WeightRange(offset: 0, count: 0),
                                   bias: nil, residual: false, relu: false)).name
        }
        #expect(name(Self.cases[0]) == "conv.direct 3x3/1")
        #expect(name(Self.cases[3]) == "conv.direct 7x7/2")
        #expect(name(Self.cases[4]) == "conv.direct 3x3/1 g2 d2")
        #expect(name(Self.cases[5]) == "conv.direct 3x3/2x1 g6")
    }
}
