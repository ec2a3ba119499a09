import GraphIR
import Passes
import Runtime
import Testing

/// The optimizer's contract: for random models, the `-O0` and `-O2` plans
/// both agree with the reference interpreter on the unoptimized graph.
@Suite struct OptimizationEquivalenceTests {
    @Test(arguments: 0..<200)
    func randomModelAgreesWithReference(seed: Int) throws {
        let source = RandomModel.def(seed: UInt64(seed))
        var graph = try ModelParser.parse(source, file: "random\(seed).def")
        graph.bindRandomWeights(seed: UInt64(seed))
        let inputShape = try #require(graph.inputID.map { graph[$0].shape })
        let input = Tensor(shape: inputShape, data: (0..<inputShape.reduce(1, *)).map { Float(sin(Double($0) * 0.37)) })
        let reference = try ReferenceInterpreter.evaluate(graph, input: input)
        for level in [OptimizationLevel.O0, .O2] {
            let plan = try Compiler.compile(graph, modelName: "random", level: level).plan
            let outputs = try Executor(plan: plan, threads: 2).run(input.data)
            for (actual, expected) in zip(outputs, reference) {
                let comparison = NumericComparison(actual: actual, expected: expected.data)
                #expect(comparison.withinTolerance,
                        "seed \(seed) -O\(level.rawValue): relative error \(comparison.relative)\n\(source)")
            }
        }
    }
}

import Foundation
