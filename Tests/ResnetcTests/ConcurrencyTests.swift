import Foundation
import GraphIR
import Passes
import Runtime
import Testing

/// One loaded plan serving many threads at once: every result is bitwise the
/// sequential one (each run takes its own arena from the executor's pool).
@Suite struct ConcurrencyTests {
    @Test func eightThreadsFiftyInputsEachMatchSequentialRuns() throws {
        let base = fixturesRoot.appendingPathComponent("tiny_bottleneck")
        var graph = try ModelParser.parse(try String(contentsOf: base.appendingPathComponent("model.def"), encoding: .utf8),
                                          file: "model.def")
        _ = try graph.bindWeights(try SafeTensors.read(contentsOf: base.appendingPathComponent("weights.safetensors").path),
                                  source: "weights.safetensors")
        let plan = try Compiler.compile(graph, modelName: "tiny_bottleneck").plan
        let executor = Executor(plan: plan, threads: 2)
        let (threads, perThread) = (8, 50)
        let count = plan.input.count
        @Sendable func input(_ t: Int, _ i: Int) -> [Float] {
            var generator = SplitMix64(seed: UInt64(t * 1000 + i))
            return (0..<count).map { _ in generator.nextUniform(-2, 2) }
        }
        let sequential = try (0..<threads).map { t in try (0..<perThread).map { i in try executor.run(input(t, i)) } }

        let results = Mutex<[[[[Float]]]]>(Array(repeating: [], count: threads))
        let failures = Mutex<[String]>([])
        let done = DispatchGroup()
        for t in 0..<threads {
            done.enter()
            let worker = Thread {
                var mine: [[[Float]]] = []
                for i in 0..<perThread {
                    do { mine.append(try executor.run(input(t, i))) } catch {
                        failures.withLock { $0.append("thread \(t) input \(i): \(error)") }
                    }
                }
                results.withLock { $0[t] = mine }
                done.leave()
            }
            worker.start()
        }
        done.wait()
        #expect(failures.withLock { $0 }.isEmpty)
        let concurrent = results.withLock { $0 }
        for t in 0..<threads {
            #expect(concurrent[t] == sequential[t], "thread \(t) differs from the sequential runs")
        }
    }
}

import Synchronization
