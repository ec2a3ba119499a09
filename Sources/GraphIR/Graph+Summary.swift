extension Graph {
    /// Trainable parameters, counted as PyTorch's
    /// `sum(p.numel() for p in model.parameters())`: conv and fc weights and
    /// biases, BatchNorm weight and bias (not the running statistics).
    public var parameterCount: Int {
        ids.reduce(0) { $0.saturatingAdd(parameterCount(of: $1)) }
    }

    /// Multiply-accumulates of one evaluation (convolutions and fc).
    public var totalMACs: Int {
        ids.reduce(0) { $0.saturatingAdd(self[$1].macs(operands: operandShapes($1))) }
    }

    /// A Keras-style table: one row per node (layer, op, output shape,
    /// parameters, MACs), then the totals.
    public func summaryText() -> String {
        let header = ["Layer", "Op", "Output shape", "Params", "MACs"]
        let rows = ids.map { id in
            [self[id].name, self[id].op.keyword, self[id].shape.bracketed,
             Self.grouped(parameterCount(of: id)), Self.grouped(self[id].macs(operands: operandShapes(id)))]
        }
        let widths = header.indices.map { column in
            ([header] + rows).map { $0[column].count }.max() ?? 0
        }
        func format(_ row: [String]) -> String {
            row.enumerated().map { column, text in
                let padding = String(repeating: " ", count: widths[column] - text.count)
                return column >= 3 ? padding + text : text + padding  // numbers right-aligned
            }.joined(separator: "  ")
        }
        let rule = String(repeating: "=", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        var lines = [format(header), rule] + rows.map(format) + [rule]
        lines.append("Total params: \(Self.grouped(parameterCount))")
        let macs = totalMACs
        lines.append("Total MACs: \(Self.grouped(macs)) (\(Self.giga(macs)) G)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One node's trainable parameters.
    private func parameterCount(of id: ValueID) -> Int {
        self[id].parameterShapes(operands: operandShapes(id))
            .filter { !$0.suffix.hasPrefix("running_") }
            .reduce(0) { $0 + $1.shape.reduce(1, *) }
    }

    /// `11689512` → `11,689,512`.
    private static func grouped(_ n: Int) -> String {
        let digits = Array(String(n.magnitude))
        var out = ""
        for (i, digit) in digits.enumerated() {
            if i > 0, (digits.count - i) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// `1814073344` → `1.81`.
    private static func giga(_ n: Int) -> String {
        let hundredths = (n + 5_000_000) / 10_000_000
        let fraction = hundredths % 100
        return "\(hundredths / 100)." + (fraction < 10 ? "0" : "") + "\(fraction)"
    }
}

extension Int {
    /// `self + other`, or `Int.max` where that overflows (totals of huge models).
    func saturatingAdd(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
