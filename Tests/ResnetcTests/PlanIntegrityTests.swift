import Foundation
import GraphIR
import Passes
import Runtime
import Testing

/// Plans whose checksum matches but whose contents are inconsistent are
/// refused when loaded: exit 1, a message naming the inconsistency, and no
/// large allocation (the process is capped at 100 MB).
@Suite struct PlanIntegrityTests {
    /// The tiny_basic fixture compiled at -O2.
    func validPlan() throws -> Plan {
        let base = fixturesRoot.appendingPathComponent("tiny_basic")
        var graph = try ModelParser.parse(try String(contentsOf: base.appendingPathComponent("model.def"), encoding: .utf8),
                                          file: "model.def")
        graph.bindRandomWeights(seed: 1)
        return try Compiler.compile(graph, modelName: "tiny_basic").plan
    }

    /// Writes `plan` with a correct checksum and runs it.
    func expectRefused(_ plan: Plan, mentions: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("bad.plan")
        try Data(try PlanFile.encode(plan)).write(to: path)
        let result = try resnetc(["run", path.path], memoryLimitKB: 100_000)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.hasPrefix("error: \(path.path): "), "\(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
    }

    /// The index of the first step whose first operand lives in the arena.
    func arenaReader(_ plan: Plan) throws -> Int {
        try #require(plan.steps.firstIndex { if case .arena = $0.inputs.first?.location { true } else { false } })
    }

    @Test func offsetOutsideTheArena() throws {
        var plan = try validPlan()
        let i = try arenaReader(plan)
        plan.steps[i].inputs[0].location = .arena(offset: plan.arenaBytes + 4096)
        try expectRefused(plan, mentions: "step \(i) '\(plan.steps[i].name)'")
    }

    @Test func readingABufferNoEarlierStepWrote() throws {
        var plan = try validPlan()
        let i = try arenaReader(plan)
        // Swap the reader before the step that writes its operand.
        let writer = try #require(plan.steps.firstIndex { $0.output.location == plan.steps[i].inputs[0].location })
        plan.steps.swapAt(writer, i)
        try expectRefused(plan, mentions: "no earlier step wrote")
    }

    @Test func weightRangeOutOfTheFile() throws {
        var plan = try validPlan()
        let i = try #require(plan.steps.firstIndex { if case .fc = $0.kernel { true } else { false } })
        guard case let .fc(weight, bias, relu) = plan.steps[i].kernel else { return }
        plan.steps[i].kernel = .fc(weight: WeightRange(offset: plan.weights.count - 8, count: weight.count),
                                   bias: bias, relu: relu)
        try expectRefused(plan, mentions: "step \(i) 'fc'")
    }

    @Test func arenaOfTerabytes() throws {
        var plan = try validPlan()
        plan.arenaBytes = 1 << 50
        try expectRefused(plan, mentions: "arena")
    }
}
