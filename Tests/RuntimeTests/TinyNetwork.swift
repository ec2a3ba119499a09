import Runtime

/// conv 3x3 → relu → maxpool 3x3/2 → globalavgpool → fc (output 1, logits) →
/// softmax (output 0), batch 2, with its weights kept for the reference.
struct TinyNetwork {
    static let inputShape = [2, 3, 12, 12]
    let plan: Plan
    let convWeights: [Float], convBias: [Float], fcWeights: [Float], fcBias: [Float]
    let conv = ConvGeometry(batch: 2, inChannels: 3, inH: 12, inW: 12, outChannels: 8, outH: 12, outW: 12,
                            kernelH: 3, kernelW: 3, strideH: 1, strideW: 1, padTop: 1, padLeft: 1,
                            dilationH: 1, dilationW: 1, groups: 1)
    let pool = PoolGeometry(batch: 2, channels: 8, inH: 12, inW: 12, outH: 6, outW: 6, kernelH: 3, kernelW: 3,
                            strideH: 2, strideW: 2, padTop: 1, padLeft: 1)

    init(seed: UInt64 = 1) {
        var random = SeededRandom(seed: seed)
        convWeights = random.floats(8 * 3 * 3 * 3); convBias = random.floats(8)
        fcWeights = random.floats(10 * 8); fcBias = random.floats(10)
        var b = PlanBuilder(input: Self.inputShape)
        let convKernel = ConvKernel(geometry: conv, algorithm: .direct, weights: b.weight(convWeights),
                                    bias: b.weight(convBias), residual: false, relu: false)
        let c = b.step("conv1", "conv", .conv(convKernel), [b.inputRef], shape: [2, 8, 12, 12], fused: ["bn"],
                       macs: conv.macs)
        let r = b.step("relu1", "relu", .relu, [c], shape: [2, 8, 12, 12])
        let p = b.step("pool", "maxpool", .maxPool(pool), [r], shape: [2, 8, 6, 6])
        let g = b.step("gap", "globalavgpool", .globalAvgPool, [p], shape: [2, 8])
        let fc = Kernel.fc(weight: b.weight(fcWeights), bias: b.weight(fcBias), relu: false)
        let logits = b.step("fc", "fc", fc, [g], shape: [2, 10], output: 1, macs: 160)
        b.step("prob", "softmax", .softmax, [logits], shape: [2, 10], output: 0)
        plan = b.build(name: "tiny")
    }

    /// The float64 reference outputs: [probabilities, logits].
    func reference(_ x: [Float]) -> [[Double]] {
        let c = Reference.conv(x, conv, weights: convWeights, bias: convBias, residual: nil, relu: true)
        let p = Reference.pool(c.map { Float($0) }, pool, max: true)
        let g = Reference.globalAveragePool(p.map { Float($0) }, planes: 16, size: 36)
        let logits = Reference.fc(g.map { Float($0) }, batch: 2, inFeatures: 8, weight: fcWeights, bias: fcBias,
                                  relu: false)
        return [Reference.softmax(logits, length: 10), logits]
    }

    static func input(seed: UInt64) -> [Float] {
        var random = SeededRandom(seed: seed)
        return random.floats(inputShape.reduce(1, *))
    }
}
