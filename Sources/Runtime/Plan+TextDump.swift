extension Plan {
    /// The schedule for people: a header, one line per step (index, name,
    /// kernel and fused ops, then `inputs → output` with arena byte ranges
    /// and shapes), then the arena and weight sizes.
    ///
    /// ```
    /// plan 'tiny': input x [2, 3, 12, 12] → outputs prob [2, 10]
    /// 0  conv1  conv.direct 3x3/1 +bn  input [2, 3, 12, 12] → arena [0, 9216) [2, 8, 12, 12]
    /// 1  relu1  relu                   arena [0, 9216) [2, 8, 12, 12] → arena [9216, 18432) [2, 8, 12, 12]
    /// …
    /// arena 20800 bytes (naive 20800, lower bound 20800), weights 1320 bytes, 62368 MACs
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
