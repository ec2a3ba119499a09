import Foundation

/// Arenas not in use by a run, shared by an executor's concurrent runs.
///
/// Guarded by an `NSLock` (a pthread mutex) rather than `Synchronization`'s
/// `Mutex`, whose futex is invisible to ThreadSanitizer: the sanitizer can
/// then check every hand-over of an arena between threads.
final class ArenaPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [Arena] = []
    /// At most this many idle arenas are kept.
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    /// An idle arena, if there is one.
    func take() -> Arena? {
        lock.lock()
        defer { lock.unlock() }
        return idle.popLast()
    }

    /// Returns an arena for the next run (dropped when the pool is full).
    func give(_ arena: Arena) {
        lock.lock()
        defer { lock.unlock() }
        if idle.count < limit { idle.append(arena) }
    }
}
