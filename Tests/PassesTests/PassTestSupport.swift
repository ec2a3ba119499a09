import Foundation
import GraphIR
import Passes
import Runtime
import Testing

/// Parses `source`, binds random weights, and returns the graph.
func boundGraph(_ source: String, seed: UInt64 = 1) throws -> Graph {
    var graph = try ModelParser.parse(source, file: "test.def")
    graph.bindRandomWeights(seed: seed)
    return graph
}

/// Runs one pass on `graph`, checks the verifier, and checks the result
/// computes the same function as before (reference interpreter on both).
func runPass(_ pass: any Pass, on graph: Graph) throws -> (Graph, PassStatistics) {
    var after = graph
    var statistics = PassStatistics()
    try pass.run(&after, &statistics)
    #expect(after.verify().isEmpty, "verifier after \(pass.name): \(after.verify())")
    let shape = try #require(graph.inputID.map { graph[$0].shape })
    let input = Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { Float(cos(Double($0) * 0.71)) })
    let before = try ReferenceInterpreter.evaluate(graph, input: input)
    let now = try ReferenceInterpreter.evaluate(after, input: input)
    for (a, b) in zip(now, before) {
        let comparison = NumericComparison(actual: a.data.map(Float.init), expected: b.data)
        #expect(comparison.relative < 1e-5, "\(pass.name) changed the function: relative \(comparison.relative)")
    }
    return (after, statistics)
}

/// The keywords of a graph's ops, input excluded, in order.
func opKeywords(_ graph: Graph) -> [String] {
    graph.nodes.map(\.op.keyword).filter { $0 != "input" }
}
