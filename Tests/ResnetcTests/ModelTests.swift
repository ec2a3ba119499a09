import Foundation
import GraphIR
import Passes
import Runtime
import Testing

/// Every shipped model (`models/*.def`).
let modelNames: [String] = {
    let directory = repositoryRoot.appendingPathComponent("models")
    let files = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
    return files.filter { $0.hasSuffix(".def") }.map { String($0.dropLast(4)) }.sorted()
}()

/// A shipped model, parsed, with random weights, optionally at a smaller input size.
func shippedModel(_ name: String, size: Int? = nil, batch: Int? = nil, seed: UInt64 = 3) throws -> Graph {
    let path = repositoryRoot.appendingPathComponent("models/\(name).def").path
    var graph = try ModelParser.parse(try String(contentsOfFile: path, encoding: .utf8), file: path)
    if let input = graph.inputID, case .input(var shape) = graph[input].op {
        if let size { shape[2] = size; shape[3] = size }
        if let batch { shape[0] = batch }
        graph[input].op = .input(shape: shape)
        #expect(graph.inferShapes().isEmpty)
    }
    graph.bindRandomWeights(seed: seed)
    return graph
}

@Suite struct ModelTests {
    @Test func theShippedModelsAreAllThere() {
        for name in ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
                     "wide_resnet50_2", "d2l_resnet18"] {
            #expect(modelNames.contains(name), "models/\(name).def is missing")
        }
        #expect(modelNames.contains { $0.hasPrefix("preact") })
    }

    /// -O2 against the reference interpreter at a reduced input size (the
    /// reference is plain float64 loops).
    @Test(arguments: modelNames)
    func optimizedPlanMatchesReference(name: String) throws {
        let graph = try shippedModel(name, size: name.hasPrefix("d2l") ? 48 : 64)
        let plan = try Compiler.compile(graph, modelName: name).plan
        let input = Tensor(shape: plan.input.shape, data: (0..<plan.input.count).map { Float(sin(Double($0) * 0.013)) })
        let outputs = try Executor(plan: plan, threads: 2).run(input.data)
        let reference = try ReferenceInterpreter.evaluate(graph, input: input)
        let comparison = NumericComparison(actual: outputs[0], expected: reference[0].data)
        #expect(comparison.withinTolerance, "\(name): relative error \(comparison.relative)")
        print("model \(name) -O2 vs reference: relative error \(comparison.relative)")
    }

    @Test func resnet50OptimizedHasNoBatchNormAndNoStandaloneAddOrReLU() throws {
        let result = try Compiler.compile(try shippedModel("resnet50"), modelName: "resnet50")
        let ops = Set(result.optimized.nodes.map(\.op.keyword))
        #expect(!ops.contains("bn"))
        #expect(!ops.contains("add"))
        #expect(!ops.contains("relu"))
        #expect(!ops.contains("affine"))
        #expect(result.count("folded-into-conv") == 53)
        #expect(result.count("fused-add") == 16)
        #expect(result.optimized.nodes.filter { $0.epilogue.addsResidual }.count == 16)
    }

    /// The arena of every model: no two buffers live at one step overlap, and
    /// the arena is within 2% of this schedule's lower bound.
    @Test(arguments: modelNames)
    func arenaIsValidAndNearTheLowerBound(name: String) throws {
        let plan = try Compiler.compile(try shippedModel(name), modelName: name).plan
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.jsonText().utf8)) as? [String: Any])
        let arena = try #require(json["arena_bytes"] as? Int)
        let bound = try #require(json["lower_bound_bytes"] as? Int)
        let buffers = try #require(json["buffers"] as? [[String: Any]])
        struct Box { var offset, bytes, first, last: Int }
        let boxes = try buffers.map { b in
            Box(offset: try #require(b["offset"] as? Int), bytes: try #require(b["bytes"] as? Int),
                first: try #require(b["first_step"] as? Int), last: try #require(b["last_step"] as? Int))
        }
        for (i, a) in boxes.enumerated() {
            #expect(a.offset >= 0 && a.offset + a.bytes <= arena, "\(name): buffer \(i) outside the arena")
            for b in boxes[(i + 1)...] where a.first <= b.last && b.first <= a.last {
                #expect(a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset,
                        "\(name): live buffers overlap: \(a) and \(b)")
            }
        }
        #expect(Double(arena) <= 1.02 * Double(bound), "\(name): arena \(arena) vs lower bound \(bound)")
        print("model \(name): arena \(arena) B, lower bound \(bound) B, naive \(plan.naiveBytes) B")
    }

    @Test func resnet50ArenaIsAtMostFiveMiB() throws {
        let plan = try Compiler.compile(try shippedModel("resnet50"), modelName: "resnet50").plan
        #expect(plan.arenaBytes <= 5 * 1024 * 1024, "arena \(plan.arenaBytes)")
    }

    /// `dump --stage parsed` is a valid `.def` that compiles to the same plan:
    /// equal graphs, and bitwise-equal outputs.
    @Test(arguments: modelNames)
    func parsedDumpRecompilesToAnIdenticalPlan(name: String) throws {
        let original = try shippedModel(name, size: 64)
        var reparsed = try ModelParser.parse(original.defText(), file: "dump.def")
        #expect(reparsed.removingParameters() == original.removingParameters())
        reparsed.bindRandomWeights(seed: 3)
        let a = try Compiler.compile(original, modelName: name).plan
        let b = try Compiler.compile(reparsed, modelName: name).plan
        let input = (0..<a.input.count).map { Float(($0 % 17) - 8) / 8 }
        let outA = try Executor(plan: a, threads: 2).run(input)
        let outB = try Executor(plan: b, threads: 2).run(input)
        #expect(outA == outB)
    }

    /// Bitwise-identical outputs for any thread count.
    @Test func outputsAreBitwiseIdenticalAcrossThreadCounts() throws {
        let plan = try Compiler.compile(try shippedModel("resnet18", size: 96, batch: 2), modelName: "resnet18").plan
        let input = (0..<plan.input.count).map { Float(sin(Double($0))) }
        let one = try Executor(plan: plan, threads: 1).run(input)
        for threads in [2, 3, 4, 8] {
            #expect(try Executor(plan: plan, threads: threads).run(input) == one, "threads \(threads)")
        }
    }
}

extension Graph {
    /// The graph without bound parameters (for comparing structure).
    func removingParameters() -> Graph {
        var copy = self
        for i in copy.nodes.indices { copy.nodes[i].parameters = [:] }
        return copy
    }
}
