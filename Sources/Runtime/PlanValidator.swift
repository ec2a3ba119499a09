extension Plan {
    /// Alignment of every arena offset, in bytes.
    public static let alignment = 16

    /// Checks that the plan can run safely and means what it says; throws the
    /// first inconsistency as `PlanError.invalid`, naming `source` and the step.
    ///
    /// Checked: tensor shapes (positive, no overflow); every arena range inside
    /// `arenaBytes` and `Plan.alignment`-aligned; `.input` refs shaped as
    /// `input`, `.output(i)` refs valid and shaped as `outputs[i]`; every
    /// weight range inside `weights`; each kernel's operand count, shapes,
    /// geometry and weight counts; no step reading arena bytes or an output that
    /// no earlier step wrote; no step writing over its own operands except
    /// exactly in place (elementwise kernels); scratch inside the arena and
    /// apart from the step's operands; every output written; buffers inside
    /// the arena and disjoint while live at the same step.
    public func validate(source: String) throws {
        var checker = PlanChecker(plan: self)
        do {
            try checker.run()
        } catch let failure as PlanChecker.Failure {
            throw PlanError.invalid(file: source, message: failure.message)
        }
    }
}

/// The state of one `Plan.validate` pass: which arena bytes and outputs the
/// steps so far have written.
private struct PlanChecker {
    struct Failure: Error { var message: String }

    /// The largest arena or tensor accepted (256 TiB): sizes from a file stay far from overflow.
    static let maxBytes = 1 << 48

    let plan: Plan
    /// Sorted, disjoint, non-adjacent byte ranges of the arena written so far.
    var written: [Range<Int>] = []
    var writtenOutputs: Set<Int> = []
    var label = ""

    init(plan: Plan) { self.plan = plan }

    mutating func run() throws {
        guard plan.arenaBytes >= 0, plan.arenaBytes <= Self.maxBytes else {
            throw Failure(message: "arena size \(plan.arenaBytes) is outside 0...\(Self.maxBytes) bytes")
        }
        try shapeCount(plan.input.shape, "the input '\(plan.input.name)'")
        for (i, output) in plan.outputs.enumerated() { try shapeCount(output.shape, "output \(i) '\(output.name)'") }
        guard !plan.outputs.isEmpty else { throw Failure(message: "the plan has no outputs") }
        try checkBuffers()
        for (index, step) in plan.steps.enumerated() {
            label = "step \(index) '\(step.name)'"
            try check(step)
        }
        for (i, output) in plan.outputs.enumerated() where !writtenOutputs.contains(i) {
            throw Failure(message: "output \(i) '\(output.name)' is never written by any step")
        }
    }

    // MARK: Buffers

    func checkBuffers() throws {
        for buffer in plan.buffers {
            guard buffer.offset >= 0, buffer.bytes >= 0, buffer.offset <= plan.arenaBytes - buffer.bytes else {
                throw Failure(message: "buffer \(buffer.id) [\(buffer.offset), \(buffer.offset &+ buffer.bytes)) "
                              + "is outside the \(plan.arenaBytes)-byte arena")
            }
            guard buffer.firstStep <= buffer.lastStep else {
                throw Failure(message: "buffer \(buffer.id) is live from step \(buffer.firstStep) "
                              + "to the earlier step \(buffer.lastStep)")
            }
        }
        for (i, a) in plan.buffers.enumerated() {
            for b in plan.buffers[(i + 1)...] {
                let live = max(a.firstStep, b.firstStep)
                let lo = max(a.offset, b.offset), hi = min(a.offset + a.bytes, b.offset + b.bytes)
                if live <= min(a.lastStep, b.lastStep), lo < hi {
                    throw Failure(message: "buffers \(a.id) and \(b.id) overlap in arena [\(lo), \(hi)) "
                                  + "while both are live at step \(live)")
                }
            }
        }
    }

    // MARK: Steps

    mutating func check(_ step: Step) throws {
        try checkKernel(step)
        for (i, ref) in step.inputs.enumerated() { try checkRef(ref, "input \(i)") }
        try checkRef(step.output, "output")
        if case .input = step.output.location { throw Failure(message: "\(label) writes the read-only input") }
        for ref in step.inputs { try checkWritten(ref) }
        let target = region(step.output)
        for (i, ref) in step.inputs.enumerated() {
            let source = region(ref)
            guard source.space == target.space, source.bytes.overlaps(target.bytes) else { continue }
            if source.bytes == target.bytes, step.kernel.mayOverwrite(operand: i) { continue }
            throw Failure(message: "\(label) output \(describe(step.output)) overlaps its input \(i) \(describe(ref))")
        }
        if let scratch = step.scratch {
            guard scratch.offset >= 0, scratch.bytes >= 0, scratch.offset <= plan.arenaBytes - scratch.bytes else {
                throw Failure(message: "\(label) scratch \(format(scratch.offset, scratch.offset &+ scratch.bytes)) "
                              + "is outside the \(plan.arenaBytes)-byte arena")
            }
            let bytes = scratch.offset..<(scratch.offset + scratch.bytes)
            for ref in step.inputs + [step.output] {
                let operand = region(ref)
                if operand.space == -1, operand.bytes.overlaps(bytes) {
                    throw Failure(message: "\(label) scratch \(format(bytes.lowerBound, bytes.upperBound)) overlaps its operand \(describe(ref))")
                }
            }
        }
        markWritten(step.output)
    }

    func checkRef(_ ref: TensorRef, _ role: String) throws {
        let count = try shapeCount(ref.shape, "\(label) \(role)")
        switch ref.location {
        case .input:
            guard ref.shape == plan.input.shape else {
                throw Failure(message: "\(label) reads the input as \(ref.shape), but the input "
                              + "'\(plan.input.name)' is \(plan.input.shape)")
            }
        case let .output(i):
            guard plan.outputs.indices.contains(i) else {
                throw Failure(message: "\(label) \(role) refers to output \(i), but the plan has "
                              + "\(plan.outputs.count) output(s)")
            }
            guard ref.shape == plan.outputs[i].shape else {
                throw Failure(message: "\(label) \(role) uses output \(i) '\(plan.outputs[i].name)' as \(ref.shape), "
                              + "but the output is \(plan.outputs[i].shape)")
            }
        case let .arena(offset):
            let bytes = count * MemoryLayout<Float>.stride
            guard offset >= 0, offset <= plan.arenaBytes - bytes else {
                throw Failure(message: "\(label) \(role) arena \(format(offset, offset &+ bytes)) is outside "
                              + "the \(plan.arenaBytes)-byte arena")
            }
            guard offset % Plan.alignment == 0 else {
                throw Failure(message: "\(label) \(role) arena offset \(offset) is not a multiple of \(Plan.alignment)")
            }
        }
    }

    func checkWritten(_ ref: TensorRef) throws {
        switch ref.location {
        case .input:
            return
        case let .output(i):
            guard writtenOutputs.contains(i) else {
                throw Failure(message: "\(label) reads output \(i) '\(plan.outputs[i].name)' before any step wrote it")
            }
        case let .arena(offset):
            let bytes = offset..<(offset + ref.bytes)
            guard written.contains(where: { $0.lowerBound <= bytes.lowerBound && bytes.upperBound <= $0.upperBound })
            else {
                throw Failure(message: "\(label) reads arena \(format(bytes.lowerBound, bytes.upperBound)) that no earlier step wrote")
            }
        }
    }

    mutating func markWritten(_ ref: TensorRef) {
        switch ref.location {
        case .input:
            return
        case let .output(i):
            writtenOutputs.insert(i)
        case let .arena(offset):
            var lo = offset, hi = offset + ref.bytes
            written.removeAll { range in
                guard range.lowerBound <= hi, lo <= range.upperBound else { return false }
                lo = min(lo, range.lowerBound); hi = max(hi, range.upperBound)
                return true
            }
            written.append(lo..<hi)
            written.sort { $0.lowerBound < $1.lowerBound }
        }
    }

    // MARK: Kernels

    func checkKernel(_ step: Step) throws {
        let kernel = step.kernel
        switch kernel {
        case let .conv(conv):
            let g = conv.geometry
            try operands(step, conv.residual ? 2 : 1)
            try positive(["batch": g.batch, "in channels": g.inChannels, "in height": g.inH, "in width": g.inW,
                          "out channels": g.outChannels, "out height": g.outH, "out width": g.outW,
                          "kernel height": g.kernelH, "kernel width": g.kernelW, "stride": min(g.strideH, g.strideW),
                          "dilation": min(g.dilationH, g.dilationW), "groups": g.groups])
            try nonNegative(padTop: g.padTop, padLeft: g.padLeft)
            guard g.inChannels % g.groups == 0, g.outChannels % g.groups == 0 else {
                throw Failure(message: "\(label) has \(g.inChannels) input and \(g.outChannels) output channels, "
                              + "not divisible by \(g.groups) groups")
            }
            try window(out: g.outH, stride: g.strideH, kernel: g.kernelH, dilation: g.dilationH, pad: g.padTop)
            try window(out: g.outW, stride: g.strideW, kernel: g.kernelW, dilation: g.dilationW, pad: g.padLeft)
            try shape(step.inputs[0], [g.batch, g.inChannels, g.inH, g.inW], "input")
            try shape(step.output, [g.batch, g.outChannels, g.outH, g.outW], "output")
            if conv.residual { try shape(step.inputs[1], step.output.shape, "residual") }
            let direct = try product([g.outChannels, g.inChannels / g.groups, g.kernelH, g.kernelW], "weights")
            switch conv.algorithm {
            case .direct:
                try weights(conv.weights, direct, "conv weights")
            case .packedGEMM:
                try weights(conv.weights, PackedConvolution.packedWeightCount(geometry: g), "packed conv weights")
            case .pixelPanels:
                guard PixelPanelConvolution.supports(g) else {
                    throw Failure(message: "\(label) runs pixel panels on a grouped convolution")
                }
                try weights(conv.weights, PixelPanelConvolution.packedWeightCount(geometry: g), "pixel-panel conv weights")
            case .winograd2x2, .winograd4x4:
                guard let tile = conv.algorithm.winogradTile, WinogradConvolution.supports(g) else {
                    throw Failure(message: "\(label) runs Winograd on a convolution that is not 3x3, stride 1, dilation 1, ungrouped")
                }
                try weights(conv.weights, WinogradConvolution.packedWeightCount(geometry: g, tile: tile),
                            "Winograd conv weights")
            }
            if let bias = conv.bias { try weights(bias, g.outChannels, "bias") }
            guard (conv.postScale == nil) == (conv.postShift == nil) else {
                throw Failure(message: "\(label) has a post-scale without a post-shift, or the reverse")
            }
            if let scale = conv.postScale { try weights(scale, g.outChannels, "post-scale") }
            if let shift = conv.postShift { try weights(shift, g.outChannels, "post-shift") }
        case let .maxPool(p), let .avgPool(p):
            try operands(step, 1)
            try positive(["batch": p.batch, "channels": p.channels, "in height": p.inH, "in width": p.inW,
                          "out height": p.outH, "out width": p.outW, "kernel height": p.kernelH,
                          "kernel width": p.kernelW, "stride": min(p.strideH, p.strideW)])
            try nonNegative(padTop: p.padTop, padLeft: p.padLeft)
            try shape(step.inputs[0], [p.batch, p.channels, p.inH, p.inW], "input")
            try shape(step.output, [p.batch, p.channels, p.outH, p.outW], "output")
            if case .avgPool = kernel, p.padTop != 0 || p.padLeft != 0 {
                throw Failure(message: "\(label) pads an average pool (\(p.padTop), \(p.padLeft)); it takes no padding")
            }
            // Each window must start inside the padded input and hold at least one real tap.
            try poolWindow(in: p.inH, out: p.outH, stride: p.strideH, kernel: p.kernelH, pad: p.padTop, "height")
            try poolWindow(in: p.inW, out: p.outW, stride: p.strideW, kernel: p.kernelW, pad: p.padLeft, "width")
            if case .avgPool = kernel {
                let (last, overflow) = (p.outH - 1).multipliedReportingOverflow(by: p.strideH)
                let (lastW, overflowW) = (p.outW - 1).multipliedReportingOverflow(by: p.strideW)
                guard !overflow, !overflowW, last + p.kernelH <= p.inH, lastW + p.kernelW <= p.inW else {
                    throw Failure(message: "\(label) average-pool windows run past the \(p.inH)x\(p.inW) input")
                }
            }
        case .globalAvgPool:
            try operands(step, 1)
            let input = step.inputs[0].shape
            guard input.count == 4 else {
                throw Failure(message: "\(label) input is \(input), expected [N, C, H, W]")
            }
            try shape(step.output, [input[0], input[1]], "output")
        case let .fc(weight, bias, _):
            try operands(step, 1)
            let input = step.inputs[0].shape
            guard input.count >= 2 else { throw Failure(message: "\(label) input is \(input), expected [N, C]") }
            let inFeatures = input.dropFirst().reduce(1, *)
            guard step.output.shape.count == 2, step.output.shape[0] == input[0] else {
                throw Failure(message: "\(label) output is \(step.output.shape), expected [\(input[0]), K]")
            }
            let outFeatures = step.output.shape[1]
            try weights(weight, try product([outFeatures, inFeatures], "weights"), "fc weights")
            if let bias { try weights(bias, outFeatures, "bias") }
        case .softmax, .relu, .copy:
            try operands(step, 1)
            if case .copy = kernel {
                guard step.inputs[0].count == step.output.count else {
                    throw Failure(message: "\(label) copies \(step.inputs[0].shape) into \(step.output.shape)")
                }
            } else {
                try shape(step.output, step.inputs[0].shape, "output")
            }
        case .add:
            try operands(step, 2)
            guard step.inputs[0].shape == step.inputs[1].shape else {
                throw Failure(message: "\(label) adds \(step.inputs[0].shape) and \(step.inputs[1].shape)")
            }
            try shape(step.output, step.inputs[0].shape, "output")
        case let .affine(scale, shift, residual, _):
            try operands(step, residual ? 2 : 1)
            let input = step.inputs[0].shape
            guard input.count >= 2 else { throw Failure(message: "\(label) input is \(input), expected [N, C, ...]") }
            try shape(step.output, input, "output")
            if residual { try shape(step.inputs[1], input, "residual") }
            try weights(scale, input[1], "scale")
            try weights(shift, input[1], "shift")
        }
    }

    func operands(_ step: Step, _ expected: Int) throws {
        guard step.inputs.count == expected else {
            throw Failure(message: "\(label) (\(step.kernel.name)) has \(step.inputs.count) input(s), expected \(expected)")
        }
        for (i, ref) in step.inputs.enumerated() { try shapeCount(ref.shape, "\(label) input \(i)") }
        try shapeCount(step.output.shape, "\(label) output")
    }

    func shape(_ ref: TensorRef, _ expected: [Int], _ role: String) throws {
        guard ref.shape == expected else {
            throw Failure(message: "\(label) \(role) is \(ref.shape), expected \(expected)")
        }
    }

    func positive(_ fields: KeyValuePairs<String, Int>) throws {
        for (field, value) in fields where value < 1 {
            throw Failure(message: "\(label) has \(field) \(value), expected at least 1")
        }
    }

    func nonNegative(padTop: Int, padLeft: Int) throws {
        guard padTop >= 0, padLeft >= 0 else {
            throw Failure(message: "\(label) has negative padding (\(padTop), \(padLeft))")
        }
    }

    /// The kernel's index arithmetic, `o·stride + k·dilation − pad`, must not overflow.
    func window(out: Int, stride: Int, kernel: Int, dilation: Int, pad: Int) throws {
        guard let span = try? product([out, stride], "span"), let reach = try? product([kernel, dilation], "reach"),
              !span.addingReportingOverflow(reach).overflow, !pad.addingReportingOverflow(span + reach).overflow
        else {
            throw Failure(message: "\(label) has a window geometry whose indices overflow")
        }
    }

    func poolWindow(in size: Int, out: Int, stride: Int, kernel: Int, pad: Int, _ dimension: String) throws {
        let (last, overflow) = (out - 1).multipliedReportingOverflow(by: stride)
        guard pad < kernel, !overflow, last - pad < size, !last.addingReportingOverflow(kernel).overflow else {
            throw Failure(message: "\(label) has a pooling window in \(dimension) that covers only padding")
        }
    }

    func weights(_ range: WeightRange, _ expected: Int, _ role: String) throws {
        guard range.offset >= 0, range.count >= 0, range.offset <= plan.weights.count - range.count else {
            throw Failure(message: "\(label) \(role) [\(range.offset), \(range.offset &+ range.count)) are outside "
                          + "the \(plan.weights.count) weight floats")
        }
        guard range.count == expected else {
            throw Failure(message: "\(label) \(role) has \(range.count) floats, expected \(expected)")
        }
    }

    /// The element count of `shape`, or a failure if a dimension is below 1 or the size exceeds `maxBytes`.
    @discardableResult
    func shapeCount(_ shape: [Int], _ what: String) throws -> Int {
        guard !shape.isEmpty, shape.allSatisfy({ $0 >= 1 }) else {
            throw Failure(message: "\(what) has shape \(shape); every dimension must be at least 1")
        }
        let bytes = try product(shape + [MemoryLayout<Float>.stride], what)
        guard bytes <= Self.maxBytes else {
            throw Failure(message: "\(what) has shape \(shape), over \(Self.maxBytes) bytes")
        }
        return bytes / MemoryLayout<Float>.stride
    }

    func product(_ factors: [Int], _ what: String) throws -> Int {
        try factors.reduce(1) { result, factor in
            let (value, overflow) = result.multipliedReportingOverflow(by: factor)
            guard !overflow else { throw Failure(message: "\(label) \(what) size \(factors) overflows") }
            return value
        }
    }

    // MARK: Regions

    /// Where a ref's bytes are: space -2 is the input, -1 the arena, i ≥ 0 output i.
    func region(_ ref: TensorRef) -> (space: Int, bytes: Range<Int>) {
        switch ref.location {
        case .input: return (-2, 0..<ref.bytes)
        case let .output(i): return (i, 0..<ref.bytes)
        case let .arena(offset): return (-1, offset..<(offset + ref.bytes))
        }
    }

    func describe(_ ref: TensorRef) -> String {
        switch ref.location {
        case .input: return "input"
        case let .output(i): return "output \(i)"
        case let .arena(offset): return "arena \(format(offset, offset + ref.bytes))"
        }
    }

    func format(_ lo: Int, _ hi: Int) -> String { "[\(lo), \(hi))" }
}
