import Foundation

/// Evaluates a graph the plainest possible way: every op as nested loops over
/// float64, values kept in float64 between ops. It defines what the IR means;
/// every optimized plan is checked against it.
///
/// Handles every op, including the optimized IR's `affine` and fused
/// epilogues, so a pass can be checked by interpreting the graph before and
/// after it. Parameters must be bound.
public enum ReferenceInterpreter {
    /// A float64 tensor.
    public struct Value: Sendable {
        public var shape: [Int]
        public var data: [Double]
    }

    /// Errors that mean the graph is not runnable (a caller bug, not bad data:
    /// parsing and binding already validated user input).
    public enum Failure: Error, CustomStringConvertible {
        case inputShape(expected: [Int], found: [Int])
        case missingParameter(node: String, key: String)
        case unshaped(node: String)

        public var description: String {
            switch self {
            case .inputShape(let e, let f): "input has shape \(f.bracketed), the model expects \(e.bracketed)"
            case .missingParameter(let n, let k): "'\(n)' has no parameter '\(k)' bound"
            case .unshaped(let n): "'\(n)' has no inferred shape"
            }
        }
    }

    /// Runs the graph on `input` and returns its outputs (float64), in `graph.outputs` order.
    public static func evaluate(_ graph: Graph, input: Tensor) throws -> [Value] {
        var values = [Value?](repeating: nil, count: graph.nodes.count)
        let users = graph.users()
        var remaining = users.map(\.count)
        for (i, node) in graph.nodes.enumerated() {
            guard !node.shape.isEmpty else { throw Failure.unshaped(node: node.name) }
            if case .input = node.op {
                guard input.shape == node.shape else { throw Failure.inputShape(expected: node.shape, found: input.shape) }
                values[i] = Value(shape: input.shape, data: input.data.map(Double.init))
                continue
            }
            let operands = node.inputs.map { values[$0.index]! }
            values[i] = try evaluate(node, operands)
            // Free operands no later node reads (outputs stay).
            for input in node.inputs {
                remaining[input.index] -= 1
                if remaining[input.index] == 0 && !graph.outputs.contains(input) { values[input.index] = nil }
            }
        }
        return graph.outputs.map { values[$0.index]! }
    }

    /// Convenience: outputs rounded to float32 tensors.
    public static func run(_ graph: Graph, input: Tensor) throws -> [Tensor] {
        try evaluate(graph, input: input).map { Tensor(shape: $0.shape, data: $0.data.map(Float.init)) }
    }

    static func parameter(_ node: Node, _ key: String) throws -> [Double] {
        guard let t = node.parameters[key] else { throw Failure.missingParameter(node: node.name, key: key) }
        return t.data.map(Double.init)
    }

    static func evaluate(_ node: Node, _ operands: [Value]) throws -> Value {
        let x = operands[0]
        var out: [Double]
        switch node.op {
        case .input:
            out = x.data
        case .conv(let a):
            out = try convolution(node, a, x)
        case .batchNorm(let eps):
            let gamma = try parameter(node, "weight"), beta = try parameter(node, "bias")
            let mean = try parameter(node, "running_mean"), variance = try parameter(node, "running_var")
            out = perChannel(x) { v, c in (v - mean[c]) / (variance[c] + eps).squareRoot() * gamma[c] + beta[c] }
        case .affine:
            let scale = try parameter(node, "scale"), shift = try parameter(node, "shift")
            out = perChannel(x) { v, c in v * scale[c] + shift[c] }
        case .relu:
            out = x.data.map { max($0, 0) }
        case .add:
            out = zip(x.data, operands[1].data).map(+)
        case .maxPool(let a):
            out = pool(node, a, x, isMax: true)
        case .avgPool(let a):
            out = pool(node, a, x, isMax: false)
        case .globalAvgPool:
            let hw = x.shape[2] * x.shape[3]
            out = (0..<(x.shape[0] * x.shape[1])).map { nc in
                var sum = 0.0
                for p in 0..<hw { sum += x.data[nc * hw + p] }
                return sum / Double(hw)
            }
        case .flatten:
            out = x.data
        case .fc(let k, let hasBias):
            let w = try parameter(node, "weight")
            let bias = hasBias ? try parameter(node, "bias") : [Double](repeating: 0, count: k)
            let n = x.shape[0], cin = x.data.count / n
            out = [Double](repeating: 0, count: n * k)
            for b in 0..<n {
                for j in 0..<k {
                    var sum = bias[j]
                    for c in 0..<cin { sum += w[j * cin + c] * x.data[b * cin + c] }
                    out[b * k + j] = sum
                }
            }
        case .softmax:
            let k = x.shape[1]
            out = x.data
            for b in 0..<x.shape[0] {
                let row = x.data[(b * k)..<(b * k + k)]
                let m = row.max() ?? 0
                let e = row.map { ($0 - m).exp() }
                let total = e.reduce(0, +)
                for j in 0..<k { out[b * k + j] = e[j] / total }
            }
        }
        if node.epilogue.addsResidual, let residual = operands.last {
            for i in out.indices { out[i] += residual.data[i] }
        }
        if node.epilogue.scaleShift {
            let scale = try parameter(node, "post_scale"), shift = try parameter(node, "post_shift")
            out = perChannel(Value(shape: node.shape, data: out)) { v, c in v * scale[c] + shift[c] }
        }
        if node.epilogue.relu {
            for i in out.indices { out[i] = max(out[i], 0) }
        }
        return Value(shape: node.shape, data: out)
    }

    /// Applies `f(value, channel)` elementwise, channel = dimension 1.
    static func perChannel(_ x: Value, _ f: (Double, Int) -> Double) -> [Double] {
        let c = x.shape[1]
        let inner = x.shape.dropFirst(2).reduce(1, *)
        return x.data.indices.map { i in f(x.data[i], (i / inner) % c) }
    }

    static func convolution(_ node: Node, _ a: ConvAttributes, _ x: Value) throws -> [Double] {
        let w = try parameter(node, "weight")
        let bias = a.bias ? try parameter(node, "bias") : [Double](repeating: 0, count: a.outChannels)
        let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (cout, oh, ow) = (node.shape[1], node.shape[2], node.shape[3])
        let p = a.padding.resolved(inputH: h, inputW: wd, kernel: a.kernel, stride: a.stride, dilation: a.dilation)
        let cinG = cin / a.groups, coutG = cout / a.groups
        let (kh, kw) = (a.kernel.h, a.kernel.w)
        var out = [Double](repeating: 0, count: n * cout * oh * ow)
        for b in 0..<n {
            for co in 0..<cout {
                let g = co / coutG
                for y in 0..<oh {
                    for xo in 0..<ow {
                        var sum = bias[co]
                        for ci in 0..<cinG {
                            let inPlane = ((b * cin) + g * cinG + ci) * h * wd
                            let wBase = (co * cinG + ci) * kh * kw
                            for ky in 0..<kh {
                                let iy = y * a.stride.h - p.top + ky * a.dilation.h
                                if iy < 0 || iy >= h { continue }
                                for kx in 0..<kw {
                                    let ix = xo * a.stride.w - p.left + kx * a.dilation.w
                                    if ix < 0 || ix >= wd { continue }
                                    sum += w[wBase + ky * kw + kx] * x.data[inPlane + iy * wd + ix]
                                }
                            }
                        }
                        out[((b * cout + co) * oh + y) * ow + xo] = sum
                    }
                }
            }
        }
        return out
    }

    /// Max pooling skips padded taps (padding never wins); average pooling has none.
    static func pool(_ node: Node, _ a: PoolAttributes, _ x: Value, isMax: Bool) -> [Double] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (oh, ow) = (node.shape[2], node.shape[3])
        let p = a.padding.resolved(inputH: h, inputW: wd, kernel: a.kernel, stride: a.stride)
        var out = [Double](repeating: 0, count: n * c * oh * ow)
        for plane in 0..<(n * c) {
            for y in 0..<oh {
                for xo in 0..<ow {
                    var acc = isMax ? -Double.infinity : 0
                    for ky in 0..<a.kernel.h {
                        let iy = y * a.stride.h - p.top + ky
                        if iy < 0 || iy >= h { continue }
                        for kx in 0..<a.kernel.w {
                            let ix = xo * a.stride.w - p.left + kx
                            if ix < 0 || ix >= wd { continue }
                            let v = x.data[(plane * h + iy) * wd + ix]
                            acc = isMax ? max(acc, v) : acc + v
                        }
                    }
                    out[(plane * oh + y) * ow + xo] = isMax ? acc : acc / Double(a.kernel.h * a.kernel.w)
                }
            }
        }
        return out
    }
}

extension Double {
    fileprivate func exp() -> Double { Foundation.exp(self) }
}
