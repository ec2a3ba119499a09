import Dispatch
import Synchronization

/// Runs `body(0..<count)` on up to `threads` threads and returns when all are
/// done. Tasks are claimed from a shared counter, so uneven tasks balance;
/// which thread runs a task never changes what it computes, so callers that
/// split work over *outputs* get bitwise-identical results for any thread count.
///
/// `body` must not capture anything it mutates except through disjoint
/// pointers (`SendablePointer`).
public func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    let workers = min(max(threads, 1), count)
    if workers <= 1 {
        for i in 0..<count { body(i) }
        return
    }
    if WorkerPool.shared.run(count, helperCount: workers - 1, body) { return }
    // The pool is busy: a concurrent run or a nested call. Dispatch wakes its
    // threads more slowly but serves any number of callers.
    let next = Atomic<Int>(0)
    withoutActuallyEscaping(body) { body in
        let task = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = next.wrappingAdd(1, ordering: .relaxed).oldValue
                if i >= count { break }
                task.value(i)
            }
        }
    }
}

/// Wraps a value Swift cannot prove `Sendable` (a closure over raw pointers)
/// so it can cross into `concurrentPerform`. Only for values whose concurrent
/// use is data-race free by construction (disjoint writes).
public struct UncheckedSendable<Value>: @unchecked Sendable {
    public let value: Value
    public init(_ value: Value) { self.value = value }
}

/// A raw pointer that may be captured by `parallelFor` bodies. Writes through
/// it from different tasks must touch disjoint elements.
public struct SendablePointer<Pointee>: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<Pointee>
    public init(_ pointer: UnsafeMutablePointer<Pointee>) { self.pointer = pointer }
}
