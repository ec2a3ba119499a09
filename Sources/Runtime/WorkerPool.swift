import Dispatch
import Foundation
import Synchronization

/// Long-lived helper threads that wait for `parallelFor` jobs by spinning.
///
/// Why not `DispatchQueue.concurrentPerform` alone: on the virtual machines we
/// deploy to, waking an idle vCPU costs 20–50 µs, and ResNet-50 crosses a
/// barrier about a hundred times per inference. Helpers here spin between
/// jobs (for `spinNanoseconds`, yielding their core now and then) and only
/// then sleep on a semaphore, so back-to-back steps find them hot — the same
/// trade ONNX Runtime's thread pool makes.
///
/// One job runs at a time. A caller that finds the pool busy (a concurrent
/// inference, or a `parallelFor` nested in a task) or backing off from
/// contention (`contendedUntil`) gets `false` from `run` and should fall
/// back to Dispatch.
final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool; helpers are started on first use, up to the most ever asked for.
    static let shared = WorkerPool()

    /// How long an idle helper keeps spinning before it sleeps.
    private static let spinNanoseconds: UInt64 = 2_000_000

    /// Generation of the current job in the high bits, how many helpers it
    /// wants in the low `helperBits`. Read as one word so a helper never pairs
    /// one job's generation with another's helper count.
    private let announcement = Atomic<Int>(0)
    private static let helperBits = 16
    private static let helperMask = (1 << helperBits) - 1
    /// At most one helper per other processor: spinning threads beyond the
    /// cores would only take turns, and every barrier would wait for all of
    /// them. The tasks are shared by whoever runs, so fewer helpers than
    /// asked for change nothing but the speed.
    private static let maxHelpers = min(max(ProcessInfo.processInfo.activeProcessorCount - 1, 0), helperMask)
    /// Next task index of the current job.
    private let nextTask = Atomic<Int>(0)
    /// Helpers of the current job that have not finished it yet.
    private let unfinished = Atomic<Int>(0)
    /// Held by the caller whose job is running.
    private let busy = Atomic<Bool>(false)
    /// The current job: written before its announcement (release), read by its
    /// helpers after they acquire it, cleared only once they all finished.
    private var count = 0
    private var body: UncheckedSendable<(Int) -> Void>?
    /// Started helpers; only the caller holding `busy` touches this array.
    private var helpers: [Helper] = []

    /// Until when (uptime nanoseconds) jobs go to Dispatch instead; read and
    /// written only by the caller holding `busy`.
    ///
    /// Spinning helpers only pay when they have the cores to themselves. When
    /// other processes want the cores too, a helper gets preempted in the
    /// middle of a task and the caller waits out the scheduler's time slice,
    /// barrier after barrier (measured: ResNet-18 next to two busy processes
    /// on the 2 cores took 92–214 ms, against 51–52 ms through Dispatch and
    /// 47–52 ms with this fallback). A caller that waited longer
    /// than `lateHelperNanoseconds` for its helpers hands jobs to Dispatch, whose
    /// threads sleep instead of spinning, for `backOffNanoseconds`.
    private var contendedUntil: UInt64 = 0
    private static let lateHelperNanoseconds: UInt64 = 1_000_000
    private static let backOffNanoseconds: UInt64 = 100_000_000

    /// A helper's way to sleep and be woken.
    private final class Helper: Sendable {
        static let running = 0, sleeping = 1
        let state = Atomic<Int>(Helper.running)
        let wakeUp = DispatchSemaphore(value: 0)
    }

    /// Runs `body(0..<count)` on the calling thread and up to `helperCount`
    /// helpers (`maxHelpers`); returns `false` at once, without running
    /// anything, if another job holds the pool.
    ///
    /// A job of one index per thread pins them: the caller runs index 0 and
    /// helper h index h + 1, every time. `parallelTasks` builds on that: its
    /// worker w is always the same thread, so a worker's scratch and its band
    /// of every layer's output stay in one core's caches (measured with the
    /// vCPUs far apart, where a cache line takes 170–200 ns to cross: see
    /// BENCHMARKS.md). Otherwise the threads claim indices as they come.
    func run(_ count: Int, helperCount: Int, _ body: (Int) -> Void) -> Bool {
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return false
        }
        if DispatchTime.now().uptimeNanoseconds < contendedUntil {
            busy.store(false, ordering: .releasing)
            return false
        }
        let helperCount = min(helperCount, Self.maxHelpers)
        while helpers.count < helperCount { startHelper(index: helpers.count) }
        withoutActuallyEscaping(body) { body in
            self.count = count
            self.body = UncheckedSendable(body)
            nextTask.store(0, ordering: .relaxed)
            unfinished.store(helperCount, ordering: .relaxed)
            let generation = (announcement.load(ordering: .relaxed) >> Self.helperBits) &+ 1
            announcement.store(generation << Self.helperBits | helperCount, ordering: .sequentiallyConsistent)
            for helper in helpers.prefix(helperCount)
            where helper.state.exchange(Helper.running, ordering: .sequentiallyConsistent) == Helper.sleeping {
                helper.wakeUp.signal()
            }
            if count == helperCount + 1 { body(0) } else { claimTasks(body) }
            if unfinished.load(ordering: .acquiring) > 0 {
                let start = DispatchTime.now().uptimeNanoseconds
                var spins = 0
                while unfinished.load(ordering: .acquiring) > 0 { Self.pause(&spins) }
                let now = DispatchTime.now().uptimeNanoseconds
                if now - start > Self.lateHelperNanoseconds { contendedUntil = now + Self.backOffNanoseconds }
            }
            self.body = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Runs tasks of the current job until none is left.
    private func claimTasks(_ body: (Int) -> Void) {
        while true {
            let i = nextTask.wrappingAdd(1, ordering: .relaxed).oldValue
            if i >= count { return }
            body(i)
        }
    }

    private func startHelper(index: Int) {
        let helper = Helper()
        helpers.append(helper)
        let seen = announcement.load(ordering: .relaxed)
        let thread = Thread { [unowned(unsafe) self] in self.serve(helper, index: index, seen: seen) }
        thread.start()
    }

    /// A helper's life: wait for an announcement that includes it, run tasks, repeat.
    private func serve(_ helper: Helper, index: Int, seen: Int) {
        var seen = seen
        while true {
            let current = waitForAnnouncement(after: seen, helper)
            seen = current
            let helperCount = current & Self.helperMask
            guard index < helperCount else { continue }
            if let body {
                if count == helperCount + 1 { body.value(index + 1) } else { claimTasks(body.value) }
            }
            unfinished.subtract(1, ordering: .releasing)
        }
    }

    /// Spins until the announcement differs from `seen`, sleeping after `spinNanoseconds`.
    private func waitForAnnouncement(after seen: Int, _ helper: Helper) -> Int {
        while true {
            let deadline = DispatchTime.now().uptimeNanoseconds &+ Self.spinNanoseconds
            var spins = 0
            repeat {
                for _ in 0..<64 {
                    let current = announcement.load(ordering: .acquiring)
                    if current != seen { return current }
                }
                Self.pause(&spins)
            } while DispatchTime.now().uptimeNanoseconds < deadline
            // Dekker-style handshake with `run`: publish "sleeping", then look
            // once more; whoever flips the state back owns the wake-up.
            helper.state.store(Helper.sleeping, ordering: .sequentiallyConsistent)
            let current = announcement.load(ordering: .sequentiallyConsistent)
            if current != seen,
               helper.state.exchange(Helper.running, ordering: .sequentiallyConsistent) == Helper.sleeping {
                return current
            }
            helper.wakeUp.wait()
        }
    }

    /// One step of a spin-wait: every 16th step yields the core, so spinning
    /// threads never starve a runnable one when there are more threads than cores.
    private static func pause(_ spins: inout Int) {
        spins &+= 1
        if spins & 15 == 0 { sched_yield() }
    }
}
