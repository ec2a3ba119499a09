import Testing
import Runtime

/// Builds small plans by hand for tests: every step's arena output gets a
/// fresh 64-byte-aligned buffer live until the end (no reuse), so plans are
/// valid unless a test breaks them on purpose.
struct PlanBuilder {
    let input: TensorSpec
    var outputs: [TensorSpec] = []
    var weights = WeightStorageBuilder()
    var steps: [Step] = []
    var buffers: [BufferInfo] = []
    var arenaBytes = 0

    init(input shape: [Int]) { input = TensorSpec(name: "x", shape: shape) }

    /// The graph input as an operand.
    var inputRef: TensorRef { TensorRef(.input, shape: input.shape) }

    /// Appends weights and returns their range.
    mutating func weight(_ values: [Float]) -> WeightRange { weights.append(values) }

    /// Appends a step writing a new arena buffer (or graph output `output`) of `shape`.
    @discardableResult
    mutating func step(_ name: String, _ op: String, _ kernel: Kernel, _ inputs: [TensorRef], shape: [Int],
                       output: Int? = nil, fused: [String] = [], macs: Int = 0) -> TensorRef {
        let ref: TensorRef
        if let output {
            while outputs.count <= output { outputs.append(TensorSpec(name: name, shape: shape)) }
            outputs[output] = TensorSpec(name: name, shape: shape)
            ref = TensorRef(.output(output), shape: shape)
        } else {
            ref = TensorRef(.arena(offset: arenaBytes), shape: shape)
            buffers.append(BufferInfo(id: buffers.count, offset: arenaBytes, bytes: ref.bytes,
                                      firstStep: steps.count, lastStep: steps.count, values: [name]))
            arenaBytes += (ref.bytes + 63) / 64 * 64
        }
        steps.append(Step(name: name, op: op, fused: fused, kernel: kernel, inputs: inputs, output: ref, macs: macs))
        return ref
    }

    /// The plan; buffers live until the last step.
    func build(name: String = "test") -> Plan {
        let last = max(steps.count - 1, 0)
        let live = buffers.map { BufferInfo(id: $0.id, offset: $0.offset, bytes: $0.bytes, firstStep: $0.firstStep,
                                            lastStep: last, values: $0.values) }
        return Plan(modelName: name, input: input, outputs: outputs, arenaBytes: arenaBytes,
                    naiveBytes: arenaBytes, lowerBoundBytes: arenaBytes, buffers: live, steps: steps,
                    weights: weights.build())
    }
}

/// Deterministic pseudo-random floats (a 64-bit LCG), so failures reproduce from the seed.
struct SeededRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed &* 6364136223846793005 &+ 1442695040888963407 }

    /// Uniform in [-1, 1).
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(state >> 40) / Float(1 << 23) - 1
    }

    mutating func floats(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}

/// Fails with the first element where `actual` and `expected` differ by more
/// than `tolerance · (1 + |expected|)`, naming the index, both values and the seed.
func expectClose(_ actual: [Float], _ expected: [Double], tolerance: Double = 1e-4, seed: UInt64,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    guard actual.count == expected.count else {
        Issue.record("count \(actual.count) vs expected \(expected.count) (seed \(seed))", sourceLocation: sourceLocation)
        return
    }
    for i in actual.indices where !(abs(Double(actual[i]) - expected[i]) <= tolerance * (1 + abs(expected[i]))) {
        Issue.record("element \(i): got \(actual[i]), expected \(expected[i]) (seed \(seed))",
                     sourceLocation: sourceLocation)
        return
    }
}
