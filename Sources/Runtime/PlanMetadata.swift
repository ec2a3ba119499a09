/// The plan minus its weights: what a plan file stores as JSON.
struct PlanMetadata: Codable {
    var modelName: String
    var input: TensorSpec
    var outputs: [TensorSpec]
    var arenaBytes: Int
    var naiveBytes: Int
    var lowerBoundBytes: Int
    var buffers: [BufferInfo]
    var steps: [Step]

    init(_ plan: Plan) {
        modelName = plan.modelName; input = plan.input; outputs = plan.outputs
        arenaBytes = plan.arenaBytes; naiveBytes = plan.naiveBytes; lowerBoundBytes = plan.lowerBoundBytes
        buffers = plan.buffers; steps = plan.steps
    }

    /// The plan with these fields and `weights`.
    func plan(weights: WeightStorage) -> Plan {
        Plan(modelName: modelName, input: input, outputs: outputs, arenaBytes: arenaBytes, naiveBytes: naiveBytes,
             lowerBoundBytes: lowerBoundBytes, buffers: buffers, steps: steps, weights: weights)
    }
}
