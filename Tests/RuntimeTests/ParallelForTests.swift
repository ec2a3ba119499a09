import Dispatch
import Foundation
import Synchronization
import Testing
import Runtime

/// `parallelFor` (and `parallelTasks` on top of it) runs every index exactly once and returns only when all are
/// done, whether the spinning worker pool serves the call, Dispatch does
/// (pool busy: concurrent or nested callers), or the pool's helpers had gone
/// to sleep.
@Suite struct ParallelForTests {
    /// Runs `parallelFor(count, threads:)` and returns how often each index ran.
    static func visits(_ count: Int, threads: Int) -> [Int] {
        let counters = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: max(count, 1))
        for i in 0..<count { (counters + i).initialize(to: Atomic(0)) }
        defer { counters.deallocate() }
        let shared = UncheckedSendable(counters)
        parallelFor(count, threads: threads) { i in _ = shared.value[i].add(1, ordering: .relaxed) }
        return (0..<count).map { counters[$0].load(ordering: .relaxed) }
    }

    @Test(arguments: [(0, 2), (1, 4), (2, 2), (3, 8), (17, 2), (64, 3), (1000, 4), (5, 1)])
    func everyIndexRunsOnce(count: Int, threads: Int) {
        #expect(Self.visits(count, threads: threads) == Array(repeating: 1, count: count))
    }

    @Test func backToBackCallsWithChangingThreadCounts() {
        for round in 0..<2000 {
            let threads = 1 + round % 4, count = 1 + round % 13
            let ran = Self.visits(count, threads: threads)
            #expect(ran == Array(repeating: 1, count: count), "round \(round)")
            if ran != Array(repeating: 1, count: count) { return }
        }
    }

    @Test func helpersThatFellAsleepWakeUp() throws {
        #expect(Self.visits(32, threads: 2) == Array(repeating: 1, count: 32))
        Thread.sleep(forTimeInterval: 0.02)  // longer than the pool's spin time
        #expect(Self.visits(32, threads: 2) == Array(repeating: 1, count: 32))
    }

    @Test func concurrentAndNestedCallersAllFinish() {
        let callers = 4
        let results = Mutex<[[Int]]>([])
        DispatchQueue.concurrentPerform(iterations: callers) { _ in
            for _ in 0..<50 {
                let sums = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: 8)
                for i in 0..<8 { (sums + i).initialize(to: Atomic(0)) }
                let shared = UncheckedSendable(sums)
                parallelFor(8, threads: 2) { outer in
                    let inner = Self.visits(5, threads: 2)
                    shared.value[outer].store(inner.reduce(0, +), ordering: .relaxed)
                }
                let row = (0..<8).map { sums[$0].load(ordering: .relaxed) }
                sums.deallocate()
                results.withLock { $0.append(row) }
            }
        }
        let rows = results.withLock { $0 }
        #expect(rows.count == callers * 50)
        #expect(rows.allSatisfy { $0 == Array(repeating: 5, count: 8) })
    }

    /// `parallelTasks` runs every task exactly once, each on a worker below
    /// the worker count, including shares a worker never started (stolen) and
    /// more workers than tasks.
    @Test(arguments: [(0, 2), (1, 4), (2, 2), (3, 8), (17, 2), (64, 3), (1000, 4), (5, 1)])
    func everyTaskRunsOnceOnAValidWorker(count: Int, workers: Int) {
        let counters = UnsafeMutablePointer<Atomic<Int>>.allocate(capacity: max(count, 1))
        for i in 0..<count { (counters + i).initialize(to: Atomic(0)) }
        defer { counters.deallocate() }
        let badWorkers = Atomic<Int>(0)
        let shared = UncheckedSendable(counters)
        parallelTasks(count, workers: workers) { worker, task in
            if worker < 0 || worker >= max(1, min(workers, count)) { badWorkers.add(1, ordering: .relaxed) }
            _ = shared.value[task].add(1, ordering: .relaxed)
        }
        #expect((0..<count).map { counters[$0].load(ordering: .relaxed) } == Array(repeating: 1, count: count))
        #expect(badWorkers.load(ordering: .relaxed) == 0)
    }

    /// On one worker the tasks run in order: worker 0's share is all of them.
    @Test func oneWorkerRunsTheTasksInOrder() {
        var order: [Int] = []
        parallelTasks(7, workers: 1) { _, task in order.append(task) }
        #expect(order == Array(0..<7))
    }
}
