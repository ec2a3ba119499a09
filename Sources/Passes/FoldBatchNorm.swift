import GraphIR

/// Folds BatchNorm into the convolution that produces its input, and turns
/// every BatchNorm that cannot fold into a per-channel `affine`.
///
/// 1. For `bn(conv(x))` where the conv has no other reader, no epilogue, and
///    is not a graph output: W'[o] = W[o]·s[o], b'[o] = b[o]·s[o] + t[o]
///    with s = γ/√(σ²+ε) and t = β − μ·s, computed in float64. Readers of the
///    bn read the conv.
/// 2. Every other bn (after an add, a pool or the input, as in pre-activation
///    blocks) becomes `affine` with scale s and shift t, which
///    `fuse-epilogue` later merges with a following ReLU.
///
/// Postcondition: no `batchNorm` node remains. Leaves every other node alone.
public struct FoldBatchNorm: Pass {
    public init() {}
    public var name: String { "fold-batchnorm" }
    public var title: String { "FoldBatchNorm" }
    public var summary: String { "fold BatchNorm into the preceding conv; the rest become per-channel affines" }

    public func run(_ graph: inout Graph, _ statistics: inout PassStatistics) throws {
        let users = graph.users()
        for id in graph.ids {
            guard case .batchNorm(let eps) = graph[id].op else { continue }
            let (scale, shift) = try Self.affine(graph[id], epsilon: eps)
            let producer = graph[id].inputs[0]
            if case .conv(var attributes) = graph[producer].op, users[producer.index] == [id],
               graph[producer].epilogue.isNone, !graph.outputs.contains(producer),
               var weight = graph[producer].parameters["weight"] {
                let perChannel = weight.count / scale.count
                let bias = graph[producer].parameters["bias"]?.data ?? [Float](repeating: 0, count: scale.count)
                for o in scale.indices {
                    for i in (o * perChannel)..<((o + 1) * perChannel) {
                        weight.data[i] = Float(Double(weight.data[i]) * scale[o])
                    }
                }
                let newBias = scale.indices.map { Float(Double(bias[$0]) * scale[$0] + shift[$0]) }
                attributes.bias = true
                graph[producer].op = .conv(attributes)
                graph[producer].parameters = ["weight": weight, "bias": Tensor(shape: [scale.count], data: newBias)]
                graph[producer].fused.append("bn")
                graph.replaceAllUses(of: id, with: producer)
                statistics.add("folded-into-conv")
            } else {
                graph[id].op = .affine
                graph[id].parameters = ["scale": Tensor(shape: [scale.count], data: scale.map(Float.init)),
                                        "shift": Tensor(shape: [shift.count], data: shift.map(Float.init))]
                graph[id].fused.append("bn")
                statistics.add("became-affine")
            }
        }
        graph = graph.removingDeadNodes()
    }

    /// BatchNorm as `x · scale + shift` in float64: scale = γ/√(σ²+ε), shift = β − μ·scale.
    static func affine(_ bn: Node, epsilon: Double) throws -> (scale: [Double], shift: [Double]) {
        guard let gamma = bn.parameters["weight"], let beta = bn.parameters["bias"],
              let mean = bn.parameters["running_mean"], let variance = bn.parameters["running_var"] else {
            throw Lowering.Unsupported(description: "'\(bn.name)' has unbound BatchNorm parameters")
        }
        let scale = gamma.data.indices.map { Double(gamma.data[$0]) / (Double(variance.data[$0]) + epsilon).squareRoot() }
        let shift = scale.indices.map { Double(beta.data[$0]) - Double(mean.data[$0]) * scale[$0] }
        return (scale, shift)
    }
}
