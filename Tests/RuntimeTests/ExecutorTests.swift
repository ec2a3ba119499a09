import Foundation
import Testing
import Runtime
import Synchronization

@Suite struct ExecutorTests {
    @Test func pipelineMatchesReference() throws {
        let net = TinyNetwork()
        let x = TinyNetwork.input(seed: 3)
        let outputs = try Executor(plan: net.plan, threads: 2).run(x)
        let expected = net.reference(x)
        #expect(outputs.count == 2)
        expectClose(outputs[0], expected[0], seed: 3)
        expectClose(outputs[1], expected[1], seed: 3)
    }

    @Test func bitwiseIdenticalForAnyThreadCount() throws {
        let plan = TinyNetwork().plan
        let x = TinyNetwork.input(seed: 4)
        let single = try Executor(plan: plan, threads: 1).run(x)
        for threads in [2, 3, 8] {
            let outputs = try Executor(plan: plan, threads: threads).run(x)
            #expect(outputs.map { $0.map(\.bitPattern) } == single.map { $0.map(\.bitPattern) }, "threads \(threads)")
        }
    }

    @Test func concurrentRunsMatchSequentialRuns() throws {
        let executor = Executor(plan: TinyNetwork().plan, threads: 2)
        let inputs = (0..<8).map { TinyNetwork.input(seed: UInt64(10 + $0)) }
        let sequential = try inputs.map { try executor.run($0)[0].map(\.bitPattern) }
        let mismatches = Mutex(0), failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for _ in 0..<20 {
                do {
                    if try executor.run(inputs[thread])[0].map(\.bitPattern) != sequential[thread] {
                        mismatches.withLock { $0 += 1 }
                    }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        #expect(mismatches.withLock { $0 } == 0)
        #expect(failures.withLock { $0 }.isEmpty)
    }

    @Test func profileTimesEveryStep() throws {
        let plan = TinyNetwork().plan
        let result = try Executor(plan: plan, threads: 1).run(TinyNetwork.input(seed: 1), profile: true)
        #expect(result.stepSeconds.count == plan.steps.count)
        #expect(result.stepSeconds.allSatisfy { $0 >= 0 })
        #expect(try Executor(plan: plan, threads: 1).run(TinyNetwork.input(seed: 1), profile: false).stepSeconds.isEmpty)
    }

    @Test func wrongInputCountThrows() {
        let executor = Executor(plan: TinyNetwork().plan, threads: 1)
        let error = PlanError.inputCount(model: "tiny", expected: 864, actual: 3, shape: [2, 3, 12, 12])
        #expect(error.description == "tiny: input has 3 values, the plan expects 864 (shape [2, 3, 12, 12])")
        #expect(throws: error) { try executor.run([1, 2, 3]) }
    }

    @Test func invalidPlanThrowsOnRun() {
        var plan = TinyNetwork().plan
        plan.steps[1].inputs[0].location = .arena(offset: plan.arenaBytes)
        let executor = Executor(plan: plan, threads: 1)
        #expect(throws: PlanError.invalid(file: "tiny", message: "step 1 'relu1' input 0 arena [\(plan.arenaBytes), "
                                          + "\(plan.arenaBytes + 9216)) is outside the \(plan.arenaBytes)-byte arena")) {
            try executor.run(TinyNetwork.input(seed: 1))
        }
    }

    @Test func unallocatableArenaThrows() {
        var plan = TinyNetwork().plan
        // The whole x86-64 user address space; + two 80-byte outputs, 64-aligned; + the
        // 9,216-byte conv output parked at the batch schedule's cut (`BatchSchedule`).
        plan.arenaBytes = 1 << 47
        #expect(throws: PlanError.outOfMemory(model: "tiny", bytes: (1 << 47) + 2 * 128 + 9216)) {
            try Executor(plan: plan, threads: 1).run(TinyNetwork.input(seed: 1))
        }
    }
}
