import Testing
import Runtime

/// Every non-convolution kernel against `Reference`, each as a one-step plan
/// writing the graph output (run on 3 threads).
@Suite struct KernelTests {
    let seed: UInt64 = 5

    func run(_ builder: PlanBuilder, _ x: [Float]) throws -> [Float] {
        try Executor(plan: builder.build(), threads: 3).run(x)[0]
    }

    @Test(arguments: [
        PoolGeometry(batch: 2, channels: 3, inH: 9, inW: 8, outH: 5, outW: 4, kernelH: 3, kernelW: 3,
                     strideH: 2, strideW: 2, padTop: 1, padLeft: 1),
        PoolGeometry(batch: 1, channels: 2, inH: 6, inW: 7, outH: 6, outW: 3, kernelH: 2, kernelW: 3,
                     strideH: 1, strideW: 2, padTop: 1, padLeft: 0),
        // Wide rows: the eight-at-a-time paths, stride 2 and 1, plus their scalar tails.
        PoolGeometry(batch: 1, channels: 3, inH: 20, inW: 37, outH: 10, outW: 19, kernelH: 3, kernelW: 3,
                     strideH: 2, strideW: 2, padTop: 1, padLeft: 1),
        PoolGeometry(batch: 1, channels: 2, inH: 5, inW: 21, outH: 5, outW: 21, kernelH: 3, kernelW: 3,
                     strideH: 1, strideW: 1, padTop: 1, padLeft: 1),
        PoolGeometry(batch: 2, channels: 1, inH: 9, inW: 33, outH: 4, outW: 17, kernelH: 2, kernelW: 5,
                     strideH: 2, strideW: 2, padTop: 0, padLeft: 2),
    ])
    func maxPoolSkipsPadding(_ p: PoolGeometry) throws {
        var random = SeededRandom(seed: seed)
        // All inputs negative: a padded zero winning the max would show.
        let x = random.floats(p.batch * p.channels * p.inH * p.inW).map { $0 - 2 }
        var builder = PlanBuilder(input: [p.batch, p.channels, p.inH, p.inW])
        builder.step("pool", "maxpool", .maxPool(p), [builder.inputRef], shape: [p.batch, p.channels, p.outH, p.outW],
                     output: 0)
        expectClose(try run(builder, x), Reference.pool(x, p, max: true), seed: seed)
    }

    @Test(arguments: [
        PoolGeometry(batch: 2, channels: 3, inH: 8, inW: 8, outH: 4, outW: 4, kernelH: 2, kernelW: 2,
                     strideH: 2, strideW: 2, padTop: 0, padLeft: 0),
        PoolGeometry(batch: 1, channels: 2, inH: 7, inW: 9, outH: 3, outW: 4, kernelH: 3, kernelW: 3,
                     strideH: 2, strideW: 2, padTop: 0, padLeft: 0),
    ])
    func averagePool(_ p: PoolGeometry) throws {
        var random = SeededRandom(seed: seed)
        let x = random.floats(p.batch * p.channels * p.inH * p.inW)
        var builder = PlanBuilder(input: [p.batch, p.channels, p.inH, p.inW])
        builder.step("pool", "avgpool", .avgPool(p), [builder.inputRef], shape: [p.batch, p.channels, p.outH, p.outW],
                     output: 0)
        expectClose(try run(builder, x), Reference.pool(x, p, max: false), seed: seed)
    }

    @Test func globalAveragePool() throws {
        var random = SeededRandom(seed: seed)
        let x = random.floats(2 * 40 * 5 * 3)
        var builder = PlanBuilder(input: [2, 40, 5, 3])
        builder.step("gap", "globalavgpool", .globalAvgPool, [builder.inputRef], shape: [2, 40], output: 0)
        expectClose(try run(builder, x), Reference.globalAveragePool(x, planes: 80, size: 15), seed: seed)
    }

    @Test(arguments: [(19, true, false), (8, false, true), (1, true, true), (37, true, false)])
    func fullyConnected(inFeatures: Int, bias: Bool, relu: Bool) throws {
        var random = SeededRandom(seed: seed)
        let batch = 3, outFeatures = 21
        let x = random.floats(batch * inFeatures)
        let w = random.floats(outFeatures * inFeatures), b = random.floats(outFeatures)
        // An [N, C, 1, 1] input is flattened.
        var builder = PlanBuilder(input: [batch, inFeatures, 1, 1])
        let kernel = Kernel.fc(weight: builder.weight(w), bias: bias ? builder.weight(b) : nil, relu: relu)
        builder.step("fc", "fc", kernel, [builder.inputRef], shape: [batch, outFeatures], output: 0)
        expectClose(try run(builder, x), Reference.fc(x, batch: batch, inFeatures: inFeatures, weight: w,
                                                      bias: bias ? b : nil, relu: relu), seed: seed)
    }

    @Test func softmaxIsStableForLargeLogits() throws {
        var random = SeededRandom(seed: seed)
        // exp(1000) overflows Float: only max-subtraction keeps this finite.
        let x = random.floats(3 * 10).map { $0 * 5 + 1000 }
        var builder = PlanBuilder(input: [3, 10])
        builder.step("prob", "softmax", .softmax, [builder.inputRef], shape: [3, 10], output: 0)
        expectClose(try run(builder, x), Reference.softmax(x.map(Double.init), length: 10), seed: seed)
    }

    @Test(arguments: [false, true])
    func add(relu: Bool) throws {
        var random = SeededRandom(seed: seed)
        let x = random.floats(2 * 3 * 4 * 5)
        var builder = PlanBuilder(input: [2, 3, 4, 5])
        let r = builder.step("r", "relu", .relu, [builder.inputRef], shape: [2, 3, 4, 5])
        builder.step("sum", "add", .add(relu: relu), [builder.inputRef, r], shape: [2, 3, 4, 5], output: 0)
        let expected = x.map { v -> Double in
            let sum = Double(v) + Double(max(v, 0))
            return relu ? max(sum, 0) : sum
        }
        expectClose(try run(builder, x), expected, seed: seed)
    }

    @Test(arguments: [[2, 3, 4, 5], [4, 3]], [false, true])
    func affine(shape: [Int], residual: Bool) throws {
        var random = SeededRandom(seed: seed)
        let count = shape.reduce(1, *), channels = shape[1]
        let x = random.floats(count), scale = random.floats(channels), shift = random.floats(channels)
        var builder = PlanBuilder(input: shape)
        let kernel = Kernel.affine(scale: builder.weight(scale), shift: builder.weight(shift), residual: residual,
                                   relu: true)
        let inputs = residual ? [builder.inputRef, builder.inputRef] : [builder.inputRef]
        builder.step("bn", "bn", kernel, inputs, shape: shape, output: 0)
        let expected = Reference.affine(x, channels: channels, planeSize: count / (shape[0] * channels), scale: scale,
                                        shift: shift, residual: residual ? x : nil, relu: true)
        expectClose(try run(builder, x), expected, seed: seed)
    }

    @Test func reluInPlaceThenCopyFlattens() throws {
        var random = SeededRandom(seed: seed)
        let x = random.floats(2 * 3 * 2 * 2)
        var builder = PlanBuilder(input: [2, 3, 2, 2])
        let a = builder.step("a", "relu", .relu, [builder.inputRef], shape: [2, 3, 2, 2])
        builder.steps.append(Step(name: "b", op: "relu", kernel: .relu, inputs: [a], output: a))
        builder.step("flat", "flatten", .copy, [a], shape: [2, 12], output: 0)
        #expect(try run(builder, x) == x.map { max($0, 0) })
    }
}
