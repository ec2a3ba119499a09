import Foundation

extension Plan {
    /// The machine-readable plan of SPEC's "The plan as JSON": one JSON object
    /// (sorted keys, pretty-printed) with `model`, `input`, `outputs`,
    /// `arena_bytes`, `naive_bytes`, `lower_bound_bytes`, `weight_bytes`,
    /// `macs`, `buffers` and `steps`.
    ///
    /// A step's `inputs` and `outputs` are buffer ids: the buffer live at that
    /// step whose range holds the operand. Operands outside the arena use
    /// negative ids: -1 is the graph input, -(2 + i) the graph output `i`; an
    /// arena operand no buffer covers is `null`. Each step also lists
    /// `operands` (location, offset, bytes, shape of every input, then the
    /// output) and, when it has scratch space, `scratch` (a buffer id).
    public func jsonText() -> String {
        let object: [String: Any] = [
            "model": modelName,
            "input": spec(input),
            "outputs": outputs.map(spec),
            "arena_bytes": arenaBytes,
            "naive_bytes": naiveBytes,
            "lower_bound_bytes": lowerBoundBytes,
            "weight_bytes": weights.count * MemoryLayout<Float>.stride,
            "macs": macs,
            "buffers": buffers.map { buffer -> [String: Any] in
                ["id": buffer.id, "offset": buffer.offset, "bytes": buffer.bytes, "first_step": buffer.firstStep,
                 "last_step": buffer.lastStep, "values": buffer.values]
            },
            "steps": steps.enumerated().map { index, step -> [String: Any] in
                var entry: [String: Any] = [
                    "index": index, "op": step.op, "name": step.name, "kernel": step.kernel.name,
                    "fused": step.fused, "macs": step.macs,
                    "inputs": step.inputs.map { bufferID($0, step: index) },
                    "outputs": [bufferID(step.output, step: index)],
                    "operands": (step.inputs + [step.output]).map(operand),
                ]
                if let scratch = step.scratch {
                    entry["scratch"] = buffer(containing: scratch.offset, bytes: scratch.bytes, step: index) ?? NSNull()
                }
                return entry
            },
        ]
        // Only strings, numbers, arrays, dictionaries and NSNull: serialization cannot fail.
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted]))
            ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// The id of the buffer holding `ref` at `step`, or the negative id of the input / an output.
    private func bufferID(_ ref: TensorRef, step: Int) -> Any {
        switch ref.location {
        case .input: return -1
        case let .output(i): return -(2 + i)
        case let .arena(offset): return buffer(containing: offset, bytes: ref.bytes, step: step) ?? NSNull()
        }
    }

    /// The buffer live at `step` whose range contains `[offset, offset + bytes)`.
    private func buffer(containing offset: Int, bytes: Int, step: Int) -> Int? {
        buffers.first { buffer in
            buffer.firstStep <= step && step <= buffer.lastStep
                && buffer.offset <= offset && offset + bytes <= buffer.offset + buffer.bytes
        }?.id
    }

    private func spec(_ spec: TensorSpec) -> [String: Any] { ["name": spec.name, "shape": spec.shape] }

    private func operand(_ ref: TensorRef) -> [String: Any] {
        switch ref.location {
        case .input: return ["location": "input", "shape": ref.shape, "bytes": ref.bytes]
        case let .output(i): return ["location": "output", "index": i, "shape": ref.shape, "bytes": ref.bytes]
        case let .arena(offset):
            return ["location": "arena", "offset": offset, "shape": ref.shape, "bytes": ref.bytes]
        }
    }
}
