extension Graph {
    /// The graph as a layer-level `.def`: one statement per node in order,
    /// attributes only where they differ from SPEC's defaults, then the
    /// `output` lines. For a parsed graph `g`,
    /// `ModelParser.parse(g.defText(), file:) == g`.
    ///
    /// Nodes that exist only after optimization print in a readable form that
    /// need not re-parse: `affine NAME IN`, and a fused epilogue as its
    /// residual operand plus `residual=true relu=true`.
    public func defText() -> String {
        var lines = nodes.map(statement)
        lines += outputs.map { "output \(self[$0].name)" }
        return lines.joined(separator: "\n") + "\n"
    }

    /// One node's statement.
    private func statement(_ node: Node) -> String {
        var fields = [node.op.keyword, node.name] + node.inputs.map { self[$0].name }
        switch node.op {
        case .input(let shape):
            fields.append("shape=\(shape.shapeString)")
        case .conv(let a):
            fields += ["out=\(a.outChannels)", "kernel=\(a.kernel)"]
            if a.stride != Pair(1) { fields.append("stride=\(a.stride)") }
            if a.padding != .zero { fields.append("pad=\(a.padding)") }
            if a.dilation != Pair(1) { fields.append("dilation=\(a.dilation)") }
            if a.groups != 1 { fields.append("groups=\(a.groups)") }
            if a.bias { fields.append("bias=true") }
        case .batchNorm(let epsilon):
            if epsilon != 1e-5 { fields.append("eps=\(epsilon)") }
        case .maxPool(let a), .avgPool(let a):
            fields.append("kernel=\(a.kernel)")
            if a.stride != a.kernel { fields.append("stride=\(a.stride)") }
            if a.padding != .zero { fields.append("pad=\(a.padding)") }
        case .fc(let k, let bias):
            fields.append("out=\(k)")
            if !bias { fields.append("bias=false") }
        case .relu, .add, .globalAvgPool, .flatten, .softmax, .affine:
            break
        }
        if node.epilogue.addsResidual { fields.append("residual=true") }
        if node.epilogue.scaleShift { fields.append("scale_shift=true") }
        if node.epilogue.relu { fields.append("relu=true") }
        return fields.joined(separator: " ")
    }
}
