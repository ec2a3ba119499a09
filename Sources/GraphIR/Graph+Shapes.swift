extension Graph {
    /// Infers every node's output shape in order, reporting each independent
    /// problem once: a node whose operand already failed is skipped silently
    /// rather than reported again.
    ///
    /// Checks what SPEC names: shape mismatch at an `add` (both shapes named),
    /// channels not divisible by `groups`, a kernel or pool window larger than
    /// its padded input, and operands of the wrong rank.
    public mutating func inferShapes() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for i in nodes.indices {
            let node = nodes[i]
            let operandShapes = node.inputs.map { nodes[$0.index].shape }
            if operandShapes.contains(where: \.isEmpty) {
                nodes[i].shape = []
                continue
            }
            switch Self.outputShape(of: node, operands: operandShapes, names: node.inputs.map { nodes[$0.index].name }) {
            case .success(let shape):
                let limits = [ResourceLimits.check(shape, what: "'\(node.name)'")]
                    + node.parameterShapes(operands: operandShapes).map {
                        ResourceLimits.check($0.shape, what: "parameter '\(node.name).\($0.suffix)'")
                    }
                if let problem = limits.compactMap({ $0 }).first {
                    nodes[i].shape = []
                    diagnostics.append(Diagnostic(.error, at: node.location, sourceLine: node.sourceLine, problem))
                } else {
                    nodes[i].shape = shape
                }
            case .failure(let message):
                nodes[i].shape = []
                diagnostics.append(Diagnostic(.error, at: node.location, sourceLine: node.sourceLine, message.text))
            }
        }
        return diagnostics
    }

    /// Sets the batch size (the input's N) and re-infers shapes.
    public mutating func setBatch(_ batch: Int) -> [Diagnostic] {
        guard let input = inputID, case .input(var shape) = self[input].op, !shape.isEmpty else { return [] }
        shape[0] = batch
        self[input].op = .input(shape: shape)
        return inferShapes()
    }

    struct ShapeMessage: Error { var text: String }

    static func outputShape(of node: Node, operands: [[Int]], names: [String]) -> Result<[Int], ShapeMessage> {
        func fail(_ text: String) -> Result<[Int], ShapeMessage> { .failure(ShapeMessage(text: text)) }
        func rank4(_ k: Int = 0) -> [Int]? { operands[k].count == 4 ? operands[k] : nil }
        let what = "\(node.op.keyword) '\(node.name)'"
        switch node.op {
        case .input(let shape):
            guard shape.count == 4, shape.allSatisfy({ $0 > 0 }) else {
                return fail("input shape must be NxCxHxW with positive sizes, found \(shape.shapeString)")
            }
            return .success(shape)

        case .conv(let a):
            guard let x = rank4() else { return fail("\(what) needs an NCHW input, '\(names[0])' is \(operands[0].bracketed)") }
            let cin = x[1]
            guard a.groups >= 1, cin % a.groups == 0, a.outChannels % a.groups == 0 else {
                return fail("\(what): channels (in \(cin), out \(a.outChannels)) do not divide by groups=\(a.groups)")
            }
            guard let (h, w) = windowOutput(x, kernel: a.kernel, stride: a.stride, padding: a.padding, dilation: a.dilation) else {
                return fail("\(what): kernel \(a.kernel.h)x\(a.kernel.w) (dilation \(a.dilation)) is larger than its padded input \(paddedSize(x, a.padding, a.kernel, a.stride, a.dilation))")
            }
            return residualChecked(node, [x[0], a.outChannels, h, w], operands, names)

        case .maxPool(let a), .avgPool(let a):
            guard let x = rank4() else { return fail("\(what) needs an NCHW input, '\(names[0])' is \(operands[0].bracketed)") }
            guard let (h, w) = windowOutput(x, kernel: a.kernel, stride: a.stride, padding: a.padding, dilation: Pair(1)) else {
                return fail("\(what): pool window \(a.kernel.h)x\(a.kernel.w) is larger than its padded input \(paddedSize(x, a.padding, a.kernel, a.stride, Pair(1)))")
            }
            return .success([x[0], x[1], h, w])

        case .batchNorm, .affine:
            guard operands[0].count >= 2 else { return fail("\(what) needs a channel dimension, '\(names[0])' is \(operands[0].bracketed)") }
            return residualChecked(node, operands[0], operands, names)

        case .relu:
            return .success(operands[0])

        case .add:
            guard operands[0] == operands[1] else {
                return fail("shape mismatch at \(what): '\(names[0])' is \(operands[0].bracketed), '\(names[1])' is \(operands[1].bracketed)")
            }
            return residualChecked(node, operands[0], operands, names)

        case .globalAvgPool:
            guard let x = rank4() else { return fail("\(what) needs an NCHW input, '\(names[0])' is \(operands[0].bracketed)") }
            return .success([x[0], x[1]])

        case .flatten:
            guard operands[0].count >= 2 else { return fail("\(what) needs a batch dimension, '\(names[0])' is \(operands[0].bracketed)") }
            return .success([operands[0][0], operands[0].dropFirst().reduce(1, *)])

        case .fc(let k, _):
            let x = operands[0]
            let flat = x.count == 2 || (x.count == 4 && x[2] == 1 && x[3] == 1)
            guard flat else {
                return fail("\(what) needs [N, C] or [N, C, 1, 1], '\(names[0])' is \(x.bracketed) (insert a flatten or globalavgpool)")
            }
            return residualChecked(node, [x[0], k], operands, names)

        case .softmax:
            guard operands[0].count == 2 else { return fail("\(what) needs [N, K], '\(names[0])' is \(operands[0].bracketed)") }
            return .success(operands[0])
        }
    }

    /// The output shape, after checking that a fused residual has that shape.
    private static func residualChecked(_ node: Node, _ shape: [Int], _ operands: [[Int]], _ names: [String]) -> Result<[Int], ShapeMessage> {
        if node.epilogue.addsResidual, let residual = operands.last, residual != shape {
            return .failure(ShapeMessage(text: "shape mismatch at fused add in '\(node.name)': result is \(shape.bracketed), '\(names.last ?? "")' is \(residual.bracketed)"))
        }
        return .success(shape)
    }

    private static func windowOutput(_ x: [Int], kernel: Pair, stride: Pair, padding: Padding, dilation: Pair) -> (Int, Int)? {
        guard kernel.h >= 1, kernel.w >= 1, stride.h >= 1, stride.w >= 1, dilation.h >= 1, dilation.w >= 1 else { return nil }
        let p = padding.resolved(inputH: x[2], inputW: x[3], kernel: kernel, stride: stride, dilation: dilation)
        let spanH = (kernel.h - 1) * dilation.h + 1, spanW = (kernel.w - 1) * dilation.w + 1
        let paddedH = x[2] + p.top + p.bottom, paddedW = x[3] + p.left + p.right
        guard spanH <= paddedH, spanW <= paddedW else { return nil }
        return ((paddedH - spanH) / stride.h + 1, (paddedW - spanW) / stride.w + 1)
    }

    private static func paddedSize(_ x: [Int], _ padding: Padding, _ kernel: Pair, _ stride: Pair, _ dilation: Pair) -> String {
        let p = padding.resolved(inputH: x[2], inputW: x[3], kernel: kernel, stride: stride, dilation: dilation)
        return "\(x[2] + p.top + p.bottom)x\(x[3] + p.left + p.right)"
    }
}

extension Node {
    /// The parameters this node reads, with the shapes they must have, given
    /// its operands' shapes: `[("weight", [64, 3, 7, 7]), ...]`. Keys in a
    /// weights file are `name + "." + suffix`.
    public func parameterShapes(operands: [[Int]]) -> [(suffix: String, shape: [Int])] {
        switch op {
        case .conv(let a):
            let cin = operands.first.map { $0.count == 4 ? $0[1] : 0 } ?? 0
            var specs = [("weight", [a.outChannels, cin / max(a.groups, 1), a.kernel.h, a.kernel.w])]
            if a.bias { specs.append(("bias", [a.outChannels])) }
            if epilogue.scaleShift { specs += [("post_scale", [a.outChannels]), ("post_shift", [a.outChannels])] }
            return specs
        case .batchNorm:
            let c = operands.first.map { $0.count >= 2 ? $0[1] : 0 } ?? 0
            return ["weight", "bias", "running_mean", "running_var"].map { ($0, [c]) }
        case .affine:
            let c = operands.first.map { $0.count >= 2 ? $0[1] : 0 } ?? 0
            return [("scale", [c]), ("shift", [c])]
        case .fc(let k, let bias):
            let cin = operands.first.map { $0.count >= 2 ? $0[1] : 0 } ?? 0
            var specs = [("weight", [k, cin])]
            if bias { specs.append(("bias", [k])) }
            return specs
        case .input, .relu, .add, .maxPool, .avgPool, .globalAvgPool, .flatten, .softmax:
            return []
        }
    }

    /// Multiply-accumulates for one evaluation (convolutions and fc; other
    /// ops count zero, as torchvision's published figures do).
    public func macs(operands: [[Int]]) -> Int {
        switch op {
        case .conv(let a):
            guard shape.count == 4, let x = operands.first, x.count == 4 else { return 0 }
            return ResourceLimits.elementCount(shape + [x[1] / max(a.groups, 1), a.kernel.h, a.kernel.w]) ?? .max
        case .fc(let k, _):
            guard let x = operands.first, x.count >= 2 else { return 0 }
            return ResourceLimits.elementCount([k] + x) ?? .max
        case .input, .batchNorm, .relu, .add, .maxPool, .avgPool, .globalAvgPool, .flatten, .softmax, .affine:
            return 0
        }
    }
}

extension Graph {
    /// The shapes of a node's operands.
    public func operandShapes(_ id: ValueID) -> [[Int]] {
        self[id].inputs.map { self[$0].shape }
    }
}
