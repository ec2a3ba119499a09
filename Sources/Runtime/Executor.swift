import Dispatch

/// Runs a plan. One executor serves any number of concurrent `run` calls:
/// each takes an arena from a small pool (or allocates one), so runs share
/// only the read-only plan and weights.
///
/// Every kernel splits its work over output tiles with `parallelFor`, never
/// over a reduction, so outputs are bitwise identical for any `threads`.
///
/// A batch runs its early steps image by image and the rest step by step
/// (`BatchSchedule`).
public final class Executor: Sendable {
    /// The plan this executor runs.
    public let plan: Plan
    /// Threads each kernel may use.
    public let threads: Int
    /// Byte offset of each output in an `Arena`, after the plan's arena.
    private let outputOffsets: [Int]
    /// Byte offset of the convolution kernels' scratch space, after the outputs.
    private let scratchOffset: Int
    private let arenaBytes: Int
    /// Why the plan cannot run, found once at init and thrown by every `run`.
    private let invalid: PlanError?
    /// Which steps run image by image.
    private let schedule: BatchSchedule
    /// How each Winograd step cuts its work (nil for other steps), chosen
    /// once for the batch it runs on.
    private let winogradBlockings: [WinogradBlocking?]
    /// Byte offset of the parked value of `schedule.carried`, after the scratch space.
    private let carriedOffset: Int
    /// Arenas not in use by a run.
    private let idle = ArenaPool(limit: Executor.poolLimit)
    /// At most this many idle arenas are kept.
    private static let poolLimit = 4

    /// An executor for `plan` using up to `threads` threads per kernel (at least 1).
    /// The plan is validated here; an invalid plan makes every `run` throw.
    public init(plan: Plan, threads: Int) {
        self.plan = plan
        self.threads = max(threads, 1)
        do {
            try plan.validate(source: plan.modelName)
            invalid = nil
        } catch {
            // `validate` throws only `PlanError`.
            invalid = error as? PlanError ?? .invalid(file: plan.modelName, message: "\(error)")
        }
        var offset = invalid == nil ? Self.align(plan.arenaBytes) : 0
        var outputOffsets: [Int] = []
        for output in plan.outputs where invalid == nil {
            outputOffsets.append(offset)
            offset += Self.align(output.count * MemoryLayout<Float>.stride)
        }
        self.outputOffsets = outputOffsets
        scratchOffset = offset
        schedule = invalid == nil ? BatchSchedule(plan: plan) : .unbatched
        let threads = self.threads
        let (schedule, valid) = (self.schedule, invalid == nil)
        winogradBlockings = plan.steps.enumerated().map { index, step in
            guard valid, case let .conv(conv) = step.kernel, let tile = conv.algorithm.winogradTile else {
                return nil
            }
            var g = conv.geometry
            if index < schedule.cut { g.batch /= schedule.images }
            return WinogradBlocking(geometry: g, tile: tile, threads: threads)
        }
        let scratchFloats = invalid != nil ? 0 : zip(plan.steps, winogradBlockings).map { step, blocking -> Int in
            guard case let .conv(conv) = step.kernel else { return 0 }
            let g = conv.geometry
            switch conv.algorithm {
            case .direct: return 0
            case .packedGEMM: return PackedConvolution.scratchFloats(geometry: g, threads: threads)
            case .pixelPanels: return PixelPanelConvolution.scratchFloats(geometry: g, threads: threads)
            case .winograd2x2, .winograd4x4: return blocking?.scratchFloats ?? 0
            }
        }.max() ?? 0
        carriedOffset = offset + Self.align(scratchFloats * MemoryLayout<Float>.stride)
        arenaBytes = carriedOffset + Self.align(schedule.carried?.bytes ?? 0)
    }

    /// Runs the plan on `input` (`plan.input.count` values, NCHW) and returns the outputs in plan order.
    public func run(_ input: [Float]) throws -> [[Float]] {
        try run(input, profile: false).outputs
    }

    /// Runs the plan; with `profile`, also returns each step's wall time in seconds (else an empty array).
    public func run(_ input: [Float], profile: Bool) throws -> (outputs: [[Float]], stepSeconds: [Double]) {
        if let invalid { throw invalid }
        guard input.count == plan.input.count else {
            throw PlanError.inputCount(model: plan.modelName, expected: plan.input.count, actual: input.count,
                                       shape: plan.input.shape)
        }
        guard let arena = idle.take() ?? Arena(bytes: arenaBytes) else {
            throw PlanError.outOfMemory(model: plan.modelName, bytes: arenaBytes)
        }
        defer { idle.give(arena) }
        var stepSeconds = [Double](repeating: 0, count: profile ? plan.steps.count : 0)
        input.withUnsafeBufferPointer { input in
            // Validation guarantees input.count ≥ 1, so the base address exists.
            guard let inputBase = input.baseAddress else { return }
            func execute(_ index: Int, image: Int, of images: Int) {
                let start = profile ? DispatchTime.now().uptimeNanoseconds : 0
                self.execute(index, image: image, of: images, input: inputBase, arena: arena.base)
                if profile { stepSeconds[index] += Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9 }
            }
            let (images, cut) = (schedule.images, schedule.cut)
            let parked = (arena.base + carriedOffset).assumingMemoryBound(to: Float.self)
            for image in 0..<images where cut > 0 {
                for index in 0..<cut { execute(index, image: image, of: images) }
                if let carried = schedule.carried, case let .arena(offset) = carried.location {
                    let slice = carried.count / images
                    (parked + image * slice).update(from: (arena.base + offset).assumingMemoryBound(to: Float.self)
                                                    + image * slice, count: slice)
                }
            }
            if let carried = schedule.carried, case let .arena(offset) = carried.location {
                (arena.base + offset).assumingMemoryBound(to: Float.self).update(from: parked, count: carried.count)
            }
            for index in cut..<plan.steps.count { execute(index, image: 0, of: 1) }
        }
        let outputs = plan.outputs.indices.map { i in
            Array(UnsafeBufferPointer(start: (arena.base + outputOffsets[i]).assumingMemoryBound(to: Float.self),
                                      count: plan.outputs[i].count))
        }
        return (outputs, stepSeconds)
    }

    /// Runs step `index` on image `image` of `images` (all of them when `images` is 1).
    private func execute(_ index: Int, image: Int, of images: Int, input: UnsafePointer<Float>,
                         arena: UnsafeMutableRawPointer) {
        let step = plan.steps[index]
        func address(_ ref: TensorRef) -> UnsafeMutablePointer<Float> {
            let slice = image * (ref.count / images)
            switch ref.location {
            case .input: return UnsafeMutablePointer(mutating: input) + slice
            case let .output(i): return (arena + outputOffsets[i]).assumingMemoryBound(to: Float.self) + slice
            case let .arena(offset): return (arena + offset).assumingMemoryBound(to: Float.self) + slice
            }
        }
        /// Elements of one run's slice of `ref`.
        func count(_ ref: TensorRef) -> Int { ref.count / images }
        func operand(_ i: Int) -> UnsafePointer<Float> { UnsafePointer(address(step.inputs[i])) }
        let output = address(step.output)
        let weights = plan.weights
        switch step.kernel {
        case let .conv(conv):
            var conv = conv
            conv.geometry.batch /= images
            runConvolution(conv, winograd: winogradBlockings[index], input: operand(0),
                           residual: conv.residual ? operand(1) : nil, output: output,
                           scratch: (arena + scratchOffset).assumingMemoryBound(to: Float.self))
        case var .maxPool(geometry):
            geometry.batch /= images
            Pooling.max(geometry, input: operand(0), output: output, threads: threads)
        case var .avgPool(geometry):
            geometry.batch /= images
            Pooling.average(geometry, input: operand(0), output: output, threads: threads)
        case .globalAvgPool:
            let shape = step.inputs[0].shape
            GlobalAveragePooling.run(planes: count(step.output), planeSize: shape[2] * shape[3], input: operand(0),
                                     output: output, threads: threads)
        case let .fc(weight, bias, relu):
            let batch = step.output.shape[0] / images
            FullyConnected.run(batch: batch, inFeatures: count(step.inputs[0]) / batch,
                               outFeatures: step.output.shape[1], input: operand(0), weight: weights.pointer(weight),
                               bias: bias.map(weights.pointer), relu: relu, output: output, threads: threads)
        case .softmax:
            let length = step.output.shape[step.output.shape.count - 1]
            Softmax.run(rows: count(step.output) / length, length: length, input: operand(0), output: output,
                        threads: threads)
        case let .add(relu):
            Elementwise.add(count: count(step.output), operand(0), operand(1), relu: relu, output: output,
                            threads: threads)
        case .relu:
            Elementwise.relu(count: count(step.output), input: operand(0), output: output, threads: threads)
        case let .affine(scale, shift, residual, relu):
            let shape = step.output.shape
            Elementwise.affine(batch: shape[0] / images, channels: shape[1], planeSize: step.output.count / (shape[0] * shape[1]),
                               input: operand(0), scale: weights.pointer(scale), shift: weights.pointer(shift),
                               residual: residual ? operand(1) : nil, relu: relu, output: output, threads: threads)
        case .copy:
            Elementwise.copy(count: count(step.output), input: operand(0), output: output)
        }
    }

    /// The one place a convolution algorithm picks its kernel.
    private func runConvolution(_ conv: ConvKernel, winograd blocking: WinogradBlocking?, input: UnsafePointer<Float>,
                                residual: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                                scratch: UnsafeMutablePointer<Float>) {
        let bias = conv.bias.map(plan.weights.pointer)
        let scaleShift = conv.postScale.flatMap { scale in
            conv.postShift.map { (scale: plan.weights.pointer(scale), shift: plan.weights.pointer($0)) }
        }
        let weights = plan.weights.pointer(conv.weights), g = conv.geometry
        func winograd(_ tile: WinogradTile) {
            WinogradConvolution.run(blocking ?? WinogradBlocking(geometry: g, tile: tile, threads: threads),
                                    packedWeights: weights, bias: bias, input: input, residual: residual,
                                    scaleShift: scaleShift, relu: conv.relu, output: output, scratch: scratch)
        }
        switch conv.algorithm {
        case .direct:
            DirectConvolution.run(g, input: input, weights: weights, bias: bias, residual: residual,
                                  scaleShift: scaleShift, relu: conv.relu, output: output, threads: threads)
        case .packedGEMM:
            PackedConvolution.run(geometry: g, packedWeights: weights, bias: bias, input: input, residual: residual,
                                  scaleShift: scaleShift, relu: conv.relu, output: output, scratch: scratch,
                                  threads: threads)
        case .pixelPanels:
            PixelPanelConvolution.run(geometry: g, packedWeights: weights, bias: bias, input: input, residual: residual,
                                      scaleShift: scaleShift, relu: conv.relu, output: output, scratch: scratch,
                                      threads: threads)
        case .winograd2x2: winograd(.f2x2)
        case .winograd4x4: winograd(.f4x4)
        }
    }

    private static func align(_ bytes: Int) -> Int { (bytes + 63) / 64 * 64 }
}
