import GraphIR
import Runtime

/// Lowers an optimized graph to a `Plan`: one step per non-input node, in
/// graph order (the schedule), with every intermediate value placed in the arena.
///
/// 1. Give each value a location: the graph input and outputs live outside
///    the arena; every other value gets an arena buffer.
/// 2. Compute liveness over the schedule: a buffer lives from the step that
///    writes it to the last step that reads it.
/// 3. With `inPlace`, an elementwise step (or a conv's residual epilogue)
///    writes into an operand that dies at that step, sharing its buffer.
/// 4. Place buffers: sequentially without `reuseMemory` (what `-O0` does),
///    else by `MemoryPlanner` within one arena.
/// 5. Convert parameters into the kernels' layouts (BatchNorm into a
///    per-channel affine, conv weights packed for `convAlgorithm`).
///
/// Precondition: shapes inferred, parameters bound, graph verified.
public enum Lowering {
    /// What lowering may do.
    public struct Options: Sendable {
        /// Place buffers by liveness in a shared arena instead of one each.
        public var reuseMemory: Bool
        /// Let an elementwise epilogue overwrite a dying operand.
        public var inPlace: Bool
        /// Use the fast packed convolution kernels instead of `.direct`.
        public var packedConvolutions: Bool

        public init(reuseMemory: Bool, inPlace: Bool, packedConvolutions: Bool) {
            self.reuseMemory = reuseMemory; self.inPlace = inPlace; self.packedConvolutions = packedConvolutions
        }

        /// `-O0`: a buffer per value, direct kernels.
        public static let naive = Options(reuseMemory: false, inPlace: false, packedConvolutions: false)
        /// `-O1`/`-O2`: shared arena, in-place epilogues, packed kernels.
        public static let optimized = Options(reuseMemory: true, inPlace: true, packedConvolutions: true)
    }

    /// A node the lowering cannot express as a kernel: a pass produced an IR
    /// the runtime does not support (a compiler bug, never bad user input).
    public struct Unsupported: Error, CustomStringConvertible {
        public var description: String
    }

    /// Lowers `graph` to a plan named `modelName`. `naiveBytes` is what
    /// `-O0` would allocate for the unoptimized graph (default: this graph's).
    public static func lower(_ graph: Graph, modelName: String, options: Options, naiveBytes: Int? = nil) throws -> Plan {
        guard let inputID = graph.inputID else { throw Unsupported(description: "graph has no input") }
        let stepNodes = graph.ids.filter { $0 != inputID }

        // 1–2. Liveness of every arena value, in step indices.
        var lastUse = [Int](repeating: -1, count: graph.nodes.count)
        for (step, id) in stepNodes.enumerated() {
            for input in graph[id].inputs { lastUse[input.index] = max(lastUse[input.index], step) }
        }
        let outputIndex = Dictionary(graph.outputs.enumerated().map { ($1, $0) }, uniquingKeysWith: { a, _ in a })
        func isArenaValue(_ id: ValueID) -> Bool { id != inputID && outputIndex[id] == nil }

        // 3. In-place: a value may take over a dying operand's buffer.
        var owner = Array(graph.ids)   // the value whose buffer a value lives in
        if options.inPlace {
            for (step, id) in stepNodes.enumerated() where isArenaValue(id) {
                guard let operand = inPlaceOperand(graph, id), isArenaValue(operand),
                      lastUse[operand.index] == step, graph[operand].shape == graph[id].shape else { continue }
                owner[id.index] = owner[operand.index]
            }
        }

        // Buffers: one per owning value, living until its last sharer dies.
        var bufferOf: [Int: Int] = [:]         // owner value index → buffer index
        var requests: [MemoryPlanner.Request] = []
        var bufferValues: [[String]] = []
        for (step, id) in stepNodes.enumerated() where isArenaValue(id) {
            let root = owner[id.index].index
            let bytes = graph[id].shape.reduce(1, *) * MemoryLayout<Float>.stride
            let last = max(lastUse[id.index], step)
            if let b = bufferOf[root] {
                requests[b].lastStep = max(requests[b].lastStep, last)
                bufferValues[b].append(graph[id].name)
            } else {
                bufferOf[root] = requests.count
                requests.append(MemoryPlanner.Request(bytes: bytes, firstStep: step, lastStep: last))
                bufferValues.append([graph[id].name])
            }
        }

        // 4. Placement.
        let offsets: [Int]
        let arenaBytes: Int
        if options.reuseMemory {
            (offsets, arenaBytes) = MemoryPlanner.plan(requests)
        } else {
            var next = 0
            offsets = requests.map { r in
                defer { next += r.alignedBytes }
                return next
            }
            arenaBytes = next
        }
        let buffers = requests.indices.map { b in
            BufferInfo(id: b, offset: offsets[b], bytes: requests[b].bytes, firstStep: requests[b].firstStep,
                       lastStep: requests[b].lastStep, values: bufferValues[b])
        }
        func location(_ id: ValueID) -> Location {
            if id == inputID { return .input }
            if let i = outputIndex[id] { return .output(i) }
            return .arena(offset: offsets[bufferOf[owner[id.index].index]!])
        }
        func ref(_ id: ValueID) -> TensorRef { TensorRef(location(id), shape: graph[id].shape) }

        // 5. Steps and weights.
        var weights = WeightStorageBuilder()
        var steps: [Step] = []
        for id in stepNodes {
            let node = graph[id]
            let kernel = try lowerKernel(graph, id, options: options, weights: &weights)
            steps.append(Step(name: node.name, op: node.op.keyword, fused: node.fused, kernel: kernel,
                              inputs: node.inputs.map(ref), output: ref(id),
                              macs: node.macs(operands: graph.operandShapes(id))))
        }

        return Plan(
            modelName: modelName,
            input: TensorSpec(name: graph[inputID].name, shape: graph[inputID].shape),
            outputs: graph.outputs.map { TensorSpec(name: graph[$0].name, shape: graph[$0].shape) },
            arenaBytes: arenaBytes, naiveBytes: naiveBytes ?? graph.intermediateBytes,
            lowerBoundBytes: MemoryPlanner.lowerBound(requests),
            buffers: buffers, steps: steps, weights: weights.build())
    }

    /// The operand an elementwise kernel can overwrite: the residual of a
    /// fused epilogue, or the first operand of add/relu/affine/bn.
    static func inPlaceOperand(_ graph: Graph, _ id: ValueID) -> ValueID? {
        let node = graph[id]
        switch node.op {
        case .add, .relu, .affine, .batchNorm:
            return node.inputs.first
        case .conv:
            return node.epilogue.addsResidual ? node.inputs.last : nil
        case .input, .maxPool, .avgPool, .globalAvgPool, .flatten, .fc, .softmax:
            return nil
        }
    }

    static func lowerKernel(_ graph: Graph, _ id: ValueID, options: Options,
                            weights: inout WeightStorageBuilder) throws -> Kernel {
        let node = graph[id]
        let epilogue = node.epilogue
        func param(_ key: String) throws -> Tensor {
            guard let t = node.parameters[key] else {
                throw Unsupported(description: "'\(node.name)' has no parameter '\(key)' bound")
            }
            return t
        }
        func unsupportedEpilogue() -> Unsupported {
            Unsupported(description: "'\(node.name)': \(node.op.keyword) cannot carry a fused epilogue")
        }
        let x = graph[node.inputs.first ?? id].shape
        if epilogue.scaleShift, case .conv = node.op {} else if epilogue.scaleShift { throw unsupportedEpilogue() }
        switch node.op {
        case .input:
            throw Unsupported(description: "input is not a step")
        case .conv(let a):
            let geometry = convGeometry(a, input: x, output: node.shape)
            let w = try param("weight")
            let bias = a.bias ? weights.append(try param("bias").data) : nil
            let algorithm = ConvolutionSelection.algorithm(for: geometry, packed: options.packedConvolutions)
            let packed = ConvolutionSelection.pack(w.data, geometry: geometry, algorithm: algorithm)
            let postScale = epilogue.scaleShift ? weights.append(try param("post_scale").data) : nil
            let postShift = epilogue.scaleShift ? weights.append(try param("post_shift").data) : nil
            return .conv(ConvKernel(geometry: geometry, algorithm: algorithm, weights: weights.append(packed),
                                    bias: bias, residual: epilogue.addsResidual, postScale: postScale,
                                    postShift: postShift, relu: epilogue.relu))
        case .batchNorm(let eps):
            let (scale, shift) = try FoldBatchNorm.affine(node, epsilon: eps)
            return .affine(scale: weights.append(scale.map(Float.init)), shift: weights.append(shift.map(Float.init)),
                           residual: epilogue.addsResidual, relu: epilogue.relu)
        case .affine:
            return .affine(scale: weights.append(try param("scale").data), shift: weights.append(try param("shift").data),
                           residual: epilogue.addsResidual, relu: epilogue.relu)
        case .relu:
            guard epilogue.isNone else { throw unsupportedEpilogue() }
            return .relu
        case .add:
            guard !epilogue.addsResidual else { throw unsupportedEpilogue() }
            return .add(relu: epilogue.relu)
        case .maxPool(let a), .avgPool(let a):
            guard epilogue.isNone else { throw unsupportedEpilogue() }
            let p = a.padding.resolved(inputH: x[2], inputW: x[3], kernel: a.kernel, stride: a.stride)
            let g = PoolGeometry(batch: x[0], channels: x[1], inH: x[2], inW: x[3], outH: node.shape[2], outW: node.shape[3],
                                 kernelH: a.kernel.h, kernelW: a.kernel.w, strideH: a.stride.h, strideW: a.stride.w,
                                 padTop: p.top, padLeft: p.left)
            if case .maxPool = node.op { return .maxPool(g) }
            return .avgPool(g)
        case .globalAvgPool:
            guard epilogue.isNone else { throw unsupportedEpilogue() }
            return .globalAvgPool
        case .flatten:
            guard epilogue.isNone else { throw unsupportedEpilogue() }
            return .copy
        case .fc(_, let hasBias):
            guard !epilogue.addsResidual else { throw unsupportedEpilogue() }
            let bias = hasBias ? weights.append(try param("bias").data) : nil
            return .fc(weight: weights.append(try param("weight").data), bias: bias, relu: epilogue.relu)
        case .softmax:
            guard epilogue.isNone else { throw unsupportedEpilogue() }
            return .softmax
        }
    }

    static func convGeometry(_ a: ConvAttributes, input x: [Int], output y: [Int]) -> ConvGeometry {
        let p = a.padding.resolved(inputH: x[2], inputW: x[3], kernel: a.kernel, stride: a.stride, dilation: a.dilation)
        return ConvGeometry(batch: x[0], inChannels: x[1], inH: x[2], inW: x[3], outChannels: y[1], outH: y[2], outW: y[3],
                            kernelH: a.kernel.h, kernelW: a.kernel.w, strideH: a.stride.h, strideW: a.stride.w,
                            padTop: p.top, padLeft: p.left, dilationH: a.dilation.h, dilationW: a.dilation.w,
                            groups: a.groups)
    }
}
