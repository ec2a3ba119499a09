extension Graph {
    /// Binds each node's parameters from `tensors` (a weights file's
    /// contents; `source` names it in messages): for every node and every
    /// `(suffix, shape)` of its `parameterShapes(operands:)`, the tensor at
    /// `name + "." + suffix` becomes `parameters[suffix]`.
    ///
    /// Shapes must have been inferred. Every missing key and every wrong
    /// shape is reported, in graph order, as one `DiagnosticError` (with a
    /// note pointing at the statement that needs the weight); the graph is
    /// left unchanged then. On success, returns a warning for each key that
    /// no node reads, in key order.
    public mutating func bindWeights(_ tensors: [String: Tensor], source: String) throws -> [Diagnostic] {
        var bound = nodes
        var errors: [Diagnostic] = []
        var used = Set<String>()
        for id in ids {
            let node = self[id]
            for (suffix, shape) in node.parameterShapes(operands: operandShapes(id)) {
                let key = node.name + "." + suffix
                var notes: [String] = []
                if let location = node.location { notes.append("required by \(node.op.keyword) '\(node.name)' at \(location)") }
                guard let tensor = tensors[key] else {
                    errors.append(Diagnostic(.error, "missing weight '\(key)' (expected shape \(shape.bracketed))", notes: notes))
                    continue
                }
                used.insert(key)
                guard tensor.shape == shape else {
                    errors.append(Diagnostic(.error, "weight '\(key)': expected shape \(shape.bracketed), found \(tensor.shape.bracketed)", notes: notes))
                    continue
                }
                bound[id.index].parameters[suffix] = tensor
            }
        }
        guard errors.isEmpty else { throw DiagnosticError(errors) }
        nodes = bound
        return tensors.keys.filter { !used.contains($0) }.sorted().map {
            Diagnostic(.warning, "unused weight '\($0)' in \(source)")
        }
    }

    /// Binds deterministic random parameters to every node that has any,
    /// replacing those it had. Each tensor is drawn from its own `SplitMix64`
    /// stream, seeded from `seed` and the tensor's key, so a tensor's values
    /// depend only on the seed, its key and its shape:
    ///
    /// - conv `weight`: He-normal, N(0, 2 / fan_in) with fan_in = Cin/G · Kh · Kw;
    /// - conv and fc `bias`, fc `weight`: U(±1/√fan_in);
    /// - bn `weight` and affine `scale`: U[0.5, 1.5]; bn `bias`, `running_mean`
    ///   and affine `shift`: U[−0.5, 0.5]; bn `running_var`: U[0.5, 2]
    ///   (non-trivial statistics, so that folding BatchNorm is really exercised).
    ///
    /// Shapes must have been inferred.
    public mutating func bindRandomWeights(seed: UInt64) {
        for id in ids {
            let node = self[id]
            let specs = node.parameterShapes(operands: operandShapes(id))
            // conv and fc: the fan-in of one output, from the weight's shape.
            let fanIn = Float(max(specs.first { $0.suffix == "weight" }?.shape.dropFirst().reduce(1, *) ?? 1, 1))
            for (suffix, shape) in specs {
                var generator = SplitMix64(seed: seed ^ Self.fnv1a(node.name + "." + suffix))
                let draw: (inout SplitMix64) -> Float
                switch (node.op, suffix) {
                case (.conv, "weight"):
                    let std = (2 / fanIn).squareRoot()
                    draw = { $0.nextNormal(std: std) }
                case (.conv, _), (.fc, _):
                    let bound = 1 / fanIn.squareRoot()
                    draw = { $0.nextUniform(-bound, bound) }
                case (_, "running_var"):
                    draw = { $0.nextUniform(0.5, 2) }
                case (_, "weight"), (_, "scale"):
                    draw = { $0.nextUniform(0.5, 1.5) }
                default:
                    draw = { $0.nextUniform(-0.5, 0.5) }
                }
                let values = (0..<shape.reduce(1, *)).map { _ in draw(&generator) }
                nodes[id.index].parameters[suffix] = Tensor(shape: shape, data: values)
            }
        }
    }

    /// The 64-bit FNV-1a hash of a key's UTF-8 bytes (stable across runs, unlike `Hasher`).
    private static func fnv1a(_ key: String) -> UInt64 {
        key.utf8.reduce(0xCBF2_9CE4_8422_2325) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 }
    }
}
