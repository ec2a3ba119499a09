import Foundation
import GraphIR
import Passes
import Runtime

/// `resnetc check`: the optimized plan against the reference interpreter on
/// the unoptimized graph, same synthetic input. Returns whether every output
/// is within SPEC's tolerance: max |plan − reference| ≤ 1e-3 · max |reference|.
func checkCommand(_ arguments: ParsedArguments) throws -> Bool {
    let path = try arguments.single("MODEL.def")
    let graph = try loadGraph(path, arguments)
    let plan = try Compiler.compile(graph, modelName: modelName(path)).plan
    let input = syntheticInput(count: plan.input.count)
    let outputs = try Executor(plan: plan, threads: ProcessInfo.processInfo.activeProcessorCount).run(input)
    let reference = try ReferenceInterpreter.evaluate(graph, input: Tensor(shape: plan.input.shape, data: input))
    var ok = true
    for (i, spec) in plan.outputs.enumerated() {
        let error = NumericComparison(actual: outputs[i], expected: reference[i].data)
        ok = ok && error.withinTolerance
        print("\(spec.name) \(spec.shape.bracketed): max abs diff \(String(format: "%.3e", error.maxAbsolute)), "
              + "max |reference| \(String(format: "%.3e", error.maxReference)), relative \(String(format: "%.3e", error.relative))"
              + (error.withinTolerance ? " ok" : " FAILED (tolerance 1e-3)"))
    }
    return ok
}
