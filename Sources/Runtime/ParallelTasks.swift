import Synchronization

/// Runs `body(worker, task)` for every task in `0..<count` on up to `workers`
/// workers. Worker `w` first takes the tasks of its own contiguous share
/// (`count · w / workers ..< count · (w + 1) / workers`), in order, then helps
/// the others with theirs, so a slow worker holds nobody up.
///
/// Why contiguous shares: kernels number their tasks so that neighbouring
/// tasks cover neighbouring pixels. With one share per worker, each core
/// writes the same part of every layer's output, and the next layer, split the
/// same way, reads mostly what its own core wrote, from its own L2 rather than
/// across cores. Which worker runs a task never changes its result.
public func parallelTasks(_ count: Int, workers: Int, _ body: (_ worker: Int, _ task: Int) -> Void) {
    let workers = max(1, min(workers, count))
    if workers == 1 {
        for task in 0..<count { body(0, task) }
        return
    }
    withUnsafeTemporaryAllocation(of: TaskCursor.self, capacity: workers) { cursors in
        guard let base = cursors.baseAddress else { return }
        for w in 0..<workers { (base + w).initialize(to: TaskCursor(next: evenPart(count, w, of: workers).lowerBound)) }
        parallelFor(workers, threads: workers) { worker in
            for offset in 0..<workers {
                let owner = (worker + offset) % workers
                let end = evenPart(count, owner, of: workers).upperBound
                while true {
                    let task = base[owner].next.wrappingAdd(1, ordering: .relaxed).oldValue
                    if task >= end { break }
                    body(worker, task)
                }
            }
        }
        base.deinitialize(count: workers)
    }
}

/// Runs `body(image, rows)` over `images` images of `rows` rows each, cut
/// into bands of rows (four per thread) that `parallelTasks` shares out, so
/// each worker takes the same band of every image as the convolutions
/// around it: a step that touches whole rows of all channels (pooling)
/// reads and writes the rows its own core has in cache.
func parallelRowBands(images: Int, rows: Int, threads: Int, _ body: (_ image: Int, _ rows: Range<Int>) -> Void) {
    let bands = max(1, min(rows, 4 * threads))
    parallelTasks(images * bands, workers: threads) { _, task in
        let (image, band) = task.quotientAndRemainder(dividingBy: bands)
        body(image, evenPart(rows, band, of: bands))
    }
}

/// Part `part` of `0..<count` cut into `parts` ranges of even length.
func evenPart(_ count: Int, _ part: Int, of parts: Int) -> Range<Int> {
    (count * part / parts)..<(count * (part + 1) / parts)
}

/// The next unclaimed task of one worker's share, alone in its cache line.
private struct TaskCursor: ~Copyable {
    let next: Atomic<Int>
    private let padding: (Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0)

    init(next: Int) { self.next = Atomic(next) }
}
