extension Graph {
    /// Checks the graph's structural invariants and returns one diagnostic per
    /// violation, or `[]` when the graph is valid:
    ///
    /// 1. exactly one `input` node, and at least one output;
    /// 2. every operand is defined by an earlier node (SSA, topological order);
    /// 3. every node has `op.arity` operands, plus one if its epilogue adds a residual;
    /// 4. names are unique;
    /// 5. outputs name existing values;
    /// 6. every shape is non-empty and equals what shape inference gives;
    /// 7. bound parameters have the shapes `Node.parameterShapes(operands:)` gives.
    ///
    /// Passes run it after every change; the parser after parsing.
    public func verify() -> [Diagnostic] {
        var problems: [Diagnostic] = []
        func report(_ node: Node?, _ message: String) {
            problems.append(Diagnostic(.error, at: node?.location, sourceLine: node?.sourceLine, message))
        }

        let inputs = nodes.filter { if case .input = $0.op { true } else { false } }
        if inputs.count != 1 { report(inputs.dropFirst().first, "graph has \(inputs.count) input nodes, expected exactly 1") }
        if outputs.isEmpty { report(nil, "graph has no outputs") }
        for output in outputs where !nodes.indices.contains(output.index) {
            report(nil, "output \(output) is not a value of the graph (\(nodes.count) values)")
        }

        var seen: [String: Int] = [:]
        var wellFormed = true
        for (i, node) in nodes.enumerated() {
            if let first = seen[node.name] {
                report(node, "value name '\(node.name)' is defined twice (values %\(first) and %\(i))")
            } else {
                seen[node.name] = i
            }
            for input in node.inputs where !(0..<i).contains(input.index) {
                report(node, "\(node.op.keyword) '\(node.name)' (%\(i)) reads \(input), which is not defined before it")
                wellFormed = false
            }
            let arity = node.op.arity + (node.epilogue.addsResidual ? 1 : 0)
            if node.inputs.count != arity {
                report(node, "\(node.op.keyword) '\(node.name)' has \(node.inputs.count) operands, expected \(arity)")
                wellFormed = false
            }
        }
        // Re-inference indexes operands, so it needs the checks above to hold.
        guard wellFormed else { return problems }

        var inferred = self
        _ = inferred.inferShapes()
        for (node, expected) in zip(nodes, inferred.nodes) {
            if node.shape.isEmpty {
                report(node, "'\(node.name)' has no shape")
            } else if node.shape != expected.shape {
                report(node, "'\(node.name)' has shape \(node.shape.bracketed), but its operands give \(expected.shape.bracketed)")
            }
        }
        for id in ids where !self[id].parameters.isEmpty {
            let node = self[id]
            for (suffix, shape) in node.parameterShapes(operands: operandShapes(id)) {
                guard let tensor = node.parameters[suffix] else {
                    report(node, "'\(node.name)' has no parameter '\(node.name).\(suffix)'")
                    continue
                }
                if tensor.shape != shape {
                    report(node, "'\(node.name).\(suffix)' has shape \(tensor.shape.bracketed), expected \(shape.bracketed)")
                }
            }
        }
        return problems
    }
}
