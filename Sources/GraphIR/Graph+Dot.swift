extension Graph {
    /// The graph in Graphviz's `dot` language: one box per node labelled with
    /// its name, op and output shape, an edge per operand, and an ellipse per
    /// output.
    public func dotText() -> String {
        var lines = ["digraph model {", "  node [shape=box, fontname=\"Helvetica\"];"]
        for (i, node) in nodes.enumerated() {
            var label = "\(Self.escaped(node.name))\\n\(node.op.keyword)"
            if !node.epilogue.isNone {
                label += [node.epilogue.addsResidual ? " +residual" : "", node.epilogue.relu ? " +relu" : ""].joined()
            }
            if !node.shape.isEmpty { label += "\\n\(node.shape.shapeString)" }
            lines.append("  v\(i) [label=\"\(label)\"];")
            for input in node.inputs { lines.append("  v\(input.index) -> v\(i);") }
        }
        for (k, output) in outputs.enumerated() {
            lines.append("  out\(k) [label=\"output\", shape=ellipse];")
            lines.append("  v\(output.index) -> out\(k);")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A name safe inside a double-quoted `dot` string.
    private static func escaped(_ text: String) -> String {
        String(text.flatMap { $0 == "\\" || $0 == "\"" ? ["\\", $0] : [$0] })
    }
}
