/// Places buffers with known lifetimes in one arena, as small as it can.
///
/// The problem: a schedule of steps and a list of requests, each `bytes` long
/// and live from `firstStep` to `lastStep` inclusive. Every request gets an
/// offset (a multiple of `alignment`) so that no two requests live at a common
/// step overlap in `[offset, offset + bytes)`; the arena is the largest
/// `offset + bytes` (sizes rounded up to `alignment`). No arena can be smaller
/// than `lowerBound`, the largest total size live at one step.
///
/// The algorithm is the greedy family of Pisarchyk & Lee, "Efficient Memory
/// Management for Deep Neural Net Inference" (2020), used by TFLite:
///
/// 1. Round every size up to `alignment`; compute the lower bound.
/// 2. Order the requests by size, largest first (ties: longer lifetime, then
///    earlier first step, then request index).
/// 3. Place them one at a time in that order. For a request, take the
///    already-placed requests whose intervals intersect its own, sorted by
///    offset, and list the free gaps between them. Choose the smallest gap
///    that fits ("best fit"; ties go to the lower offset); if none fits,
///    place it just above the highest of them.
/// 4. If the arena equals the lower bound, stop: it is optimal.
/// 5. Otherwise repeat step 3 with other orderings, and with "first fit"
///    (the lowest fitting gap) in place of best fit:
///    - by breadth: the steps in decreasing order of their live total, and at
///      each step its not yet ordered requests, largest first;
///    - by lifetime, longest first;
///    - by size × lifetime, largest first.
///    Stop at the first placement that reaches the lower bound.
/// 6. Keep the smallest arena found (the earliest one on ties).
/// 7. While it exceeds the lower bound, for at most `promotionRounds`
///    rounds: take the last request in the current order that reaches the
///    arena's top, move it to the front of the order, and place again with
///    the same fit, keeping any smaller arena. (Short-lived giants, such as
///    im2col scratch, otherwise take offset 0 at every step and push the
///    long-lived values that span them to the top.)
/// 8. Return the smallest arena found.
///
/// Everything is deterministic: the orderings break all ties by index.
/// In-place computation needs nothing here: a buffer that several values
/// share arrives as one request with the union of their lifetimes.
public enum MemoryPlanner {
    /// Offsets and placement sizes are multiples of this many bytes (a cache
    /// line, and the widest vector load the kernels issue).
    public static let alignment = 64

    /// One buffer to place: `bytes` long, live from `firstStep` through
    /// `lastStep` (inclusive).
    public struct Request: Hashable, Sendable {
        public var bytes: Int
        public var firstStep: Int
        public var lastStep: Int

        /// A request; `bytes` must not be negative and `lastStep` must not
        /// precede `firstStep`.
        public init(bytes: Int, firstStep: Int, lastStep: Int) {
            self.bytes = bytes; self.firstStep = firstStep; self.lastStep = lastStep
        }

        /// The size it occupies in the arena: `bytes` rounded up to `alignment`.
        public var alignedBytes: Int { (bytes + MemoryPlanner.alignment - 1) / MemoryPlanner.alignment * MemoryPlanner.alignment }

        var lifetime: Int { lastStep - firstStep + 1 }
    }

    /// Places `requests` in one arena: an offset for each (in order) and the
    /// arena's size in bytes, a multiple of `alignment` and never below
    /// `lowerBound(requests)`.
    ///
    /// - Precondition: every request has `bytes >= 0` and
    ///   `firstStep <= lastStep` (the caller derives them from a schedule).
    public static func plan(_ requests: [Request]) -> (offsets: [Int], arenaBytes: Int) {
        for request in requests {
            precondition(request.bytes >= 0 && request.firstStep <= request.lastStep,
                         "invalid memory request \(request)")
        }
        let bound = lowerBound(requests)
        var best = (offsets: Array(repeating: 0, count: requests.count), arenaBytes: Int.max)
        var bestOrder: [Int] = [], bestFit = Fit.best
        for order in orderings(requests) {
            for fit in Fit.allCases {
                let candidate = place(requests, in: order, fit: fit)
                if candidate.arenaBytes < best.arenaBytes { (best, bestOrder, bestFit) = (candidate, order, fit) }
                if best.arenaBytes <= bound { return best }
            }
        }
        // Step 7: promote the buffer that reaches the top.
        var order = bestOrder, current = best
        for _ in 0..<promotionRounds where best.arenaBytes > bound {
            guard let top = order.last(where: { current.offsets[$0] + requests[$0].alignedBytes == current.arenaBytes })
            else { break }
            order.removeAll { $0 == top }
            order.insert(top, at: 0)
            current = place(requests, in: order, fit: bestFit)
            if current.arenaBytes < best.arenaBytes { best = current }
        }
        return best
    }

    /// How many times step 7 re-places the requests at most.
    static let promotionRounds = 32

    /// The largest total of aligned sizes live at any one step: no valid
    /// placement has a smaller arena.
    public static func lowerBound(_ requests: [Request]) -> Int {
        // Sweep over the steps where the live total changes. An end event sits
        // one past `lastStep`, and at equal steps the ends (−) come before
        // the starts (+): a request ending there is no longer live.
        var events: [(step: Int, delta: Int)] = []
        events.reserveCapacity(requests.count * 2)
        for request in requests {
            events.append((request.firstStep, request.alignedBytes))
            events.append((request.lastStep + 1, -request.alignedBytes))
        }
        events.sort { $0.step != $1.step ? $0.step < $1.step : $0.delta < $1.delta }
        var live = 0, peak = 0
        for event in events {
            live += event.delta
            peak = max(peak, live)
        }
        return peak
    }

    /// An independent check of a placement: one line for each misplaced
    /// request (wrong count, negative or unaligned offset) and for each pair
    /// of requests live at a common step whose `[offset, offset + bytes)`
    /// ranges overlap. Empty when the placement is valid.
    public static func verify(_ requests: [Request], offsets: [Int]) -> [String] {
        guard requests.count == offsets.count else {
            return ["\(offsets.count) offsets for \(requests.count) requests"]
        }
        var problems: [String] = []
        for (i, offset) in offsets.enumerated() where offset < 0 || offset % alignment != 0 {
            problems.append("request \(i): offset \(offset) is not a non-negative multiple of \(alignment)")
        }
        for i in requests.indices {
            for j in (i + 1)..<requests.count {
                let a = requests[i], b = requests[j]
                guard a.firstStep <= b.lastStep && b.firstStep <= a.lastStep, a.bytes > 0, b.bytes > 0 else { continue }
                let aEnd = offsets[i] + a.bytes, bEnd = offsets[j] + b.bytes
                if offsets[i] < bEnd && offsets[j] < aEnd {
                    problems.append("requests \(i) [\(offsets[i]), \(aEnd)) steps \(a.firstStep)...\(a.lastStep)"
                        + " and \(j) [\(offsets[j]), \(bEnd)) steps \(b.firstStep)...\(b.lastStep) overlap")
                }
            }
        }
        return problems
    }

    // MARK: - Placement

    /// How step 3 chooses among the gaps that fit.
    enum Fit: CaseIterable {
        /// The smallest gap (ties: the lowest).
        case best
        /// The lowest gap.
        case first
    }

    /// Places the requests one at a time in `order` (step 3).
    static func place(_ requests: [Request], in order: [Int], fit: Fit) -> (offsets: [Int], arenaBytes: Int) {
        var offsets = Array(repeating: 0, count: requests.count)
        var placed: [(firstStep: Int, lastStep: Int, offset: Int, end: Int)] = []
        placed.reserveCapacity(requests.count)
        var arenaBytes = 0
        var neighbours: [(offset: Int, end: Int)] = []
        for index in order {
            let request = requests[index]
            let size = request.alignedBytes
            neighbours.removeAll(keepingCapacity: true)
            for other in placed where other.firstStep <= request.lastStep && request.firstStep <= other.lastStep {
                neighbours.append((other.offset, other.end))
            }
            neighbours.sort { $0.offset != $1.offset ? $0.offset < $1.offset : $0.end < $1.end }
            var chosen: (offset: Int, gap: Int)?
            var top = 0
            for neighbour in neighbours {
                let gap = neighbour.offset - top
                if gap >= size && gap > 0 {
                    switch (fit, chosen) {
                    case (_, nil): chosen = (top, gap)
                    case (.best, let current?) where gap < current.gap: chosen = (top, gap)
                    case (.best, _), (.first, _): break
                    }
                }
                top = max(top, neighbour.end)
            }
            let offset = chosen?.offset ?? top
            offsets[index] = offset
            arenaBytes = max(arenaBytes, offset + size)
            placed.append((request.firstStep, request.lastStep, offset, offset + size))
        }
        return (offsets, arenaBytes)
    }

    // MARK: - Orderings

    /// The orderings of steps 2 and 5, in the order they are tried.
    static func orderings(_ requests: [Request]) -> [[Int]] {
        let indices = Array(requests.indices)
        func sorted(by key: (Request) -> (Int, Int)) -> [Int] {
            indices.sorted { i, j in
                let a = key(requests[i]), b = key(requests[j])
                if a != b { return a > b }
                if requests[i].firstStep != requests[j].firstStep { return requests[i].firstStep < requests[j].firstStep }
                return i < j
            }
        }
        return [
            sorted { ($0.alignedBytes, $0.lifetime) },
            byBreadth(requests),
            sorted { ($0.lifetime, $0.alignedBytes) },
            sorted { ($0.alignedBytes * $0.lifetime, $0.alignedBytes) },
        ]
    }

    /// Greedy by breadth: the steps by decreasing live total (ties: earlier
    /// step), and at each step its unordered requests, largest first.
    ///
    /// Only the first steps of requests are visited: the live total changes
    /// upward only there, and every request is live at its own first step.
    static func byBreadth(_ requests: [Request]) -> [Int] {
        let steps = Set(requests.map(\.firstStep)).sorted()
        let liveAt = steps.map { step in
            requests.indices.filter { requests[$0].firstStep <= step && step <= requests[$0].lastStep }
        }
        let totals = liveAt.map { $0.reduce(0) { $0 + requests[$1].alignedBytes } }
        let stepOrder = steps.indices.sorted { totals[$0] != totals[$1] ? totals[$0] > totals[$1] : $0 < $1 }
        var ordered = Array(repeating: false, count: requests.count)
        var order: [Int] = []
        order.reserveCapacity(requests.count)
        for step in stepOrder {
            let fresh = liveAt[step].filter { !ordered[$0] }.sorted { i, j in
                let a = requests[i], b = requests[j]
                if a.alignedBytes != b.alignedBytes { return a.alignedBytes > b.alignedBytes }
                if a.lifetime != b.lifetime { return a.lifetime > b.lifetime }
                return i < j
            }
            for index in fresh { ordered[index] = true }
            order += fresh
        }
        return order
    }
}
