#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// One run's memory: the plan's arena followed by the outputs, 64-byte
/// aligned. Reused between runs, so it holds garbage (even NaN) when a run
/// starts; kernels never read what they have not written.
final class Arena: @unchecked Sendable {
    let base: UnsafeMutableRawPointer

    /// Allocates `bytes` bytes, or returns nil when the system refuses (a plan asking for an absurd arena).
    init?(bytes: Int) {
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, 64, max(bytes, 1)) == 0, let memory else { return nil }
        // Every tensor in it is float32; binding once makes `assumingMemoryBound` valid.
        memory.bindMemory(to: Float.self, capacity: max(bytes, 1) / MemoryLayout<Float>.stride)
        base = memory
    }

    deinit { free(base) }
}
