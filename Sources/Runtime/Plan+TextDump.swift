extension Plan {
    /// The schedule for people: a header, one line per step (index, name,
    /// kernel and fused ops, then `inputs → output` with arena byte ranges
    /// and shapes), then the arena and weight sizes.
    ///
    /// ```
    /// plan 'tiny': input x [1, 3, 8, 8] → outputs prob [1, 10]
    ///    0  conv1  conv.direct 3x3/1 +bn+relu  input [1, 3, 8, 8] → arena [0, 2048) [1, 8, 8, 8]
    /// arena 4096 bytes (naive 6144, lower bound 4096), weights 1280 bytes, 73728 MACs
    /// ```
    public func textDump() -> String {
        let header = "plan '\(modelName)': input \(input.name) \(input.shape) → outputs "
            + outputs.map { "\($0.name) \($0.shape)" }.joined(separator: ", ")
        let indexWidth = String(max(steps.count - 1, 0)).count
        let nameWidth = steps.map(\.name.count).max() ?? 0
        let kernels = steps.map { step in ([step.kernel.name] + step.fused.map { "+" + $0 }).joined(separator: " ") }
        let kernelWidth = kernels.map(\.count).max() ?? 0
        var lines = [header]
        for (index, step) in steps.enumerated() {
            var line = pad(String(index), indexWidth, left: true) + "  " + pad(step.name, nameWidth) + "  "
                + pad(kernels[index], kernelWidth) + "  "
                + step.inputs.map(describe).joined(separator: ", ") + " → " + describe(step.output)
            if let scratch = step.scratch {
                line += ", scratch [\(scratch.offset), \(scratch.offset + scratch.bytes))"
            }
            lines.append(line)
        }
        lines.append("arena \(arenaBytes) bytes (naive \(naiveBytes), lower bound \(lowerBoundBytes)), "
                     + "weights \(weights.count * MemoryLayout<Float>.stride) bytes, \(macs) MACs")
        return lines.joined(separator: "\n") + "\n"
    }

    private func describe(_ ref: TensorRef) -> String {
        switch ref.location {
        case .input: return "input \(ref.shape)"
        case let .output(i): return "output \(i) \(ref.shape)"
        case let .arena(offset): return "arena [\(offset), \(offset + ref.bytes)) \(ref.shape)"
        }
    }

    private func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(width - text.count, 0))
        return left ? fill + text : text + fill
    }
}
