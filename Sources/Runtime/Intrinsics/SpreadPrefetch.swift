// Compiled with `-parse-stdlib` like the rest of this module; `@inlinable`,
// so the kernels of both kernel modules step it without a call.
import Swift

/// Prefetches a contiguous block a few cache lines at a time, spread over the
/// steps of the loop that runs before the block is read.
///
/// Weights stream from DRAM once per inference (ResNet-50's plan holds 160
/// MB, five times the L3), and the hardware prefetcher only ramps up after a
/// block's first misses. A loop working on block *n* can ask for block *n+1*
/// meanwhile, so its first read does not wait on memory: pixel panels step
/// once per tile, Winograd's multiply every other k step of the microkernel.
@frozen public struct SpreadPrefetch {
    @usableFromInline static var lineBytes: Int { 64 }

    @usableFromInline var next: UnsafeRawPointer
    @usableFromInline let end: UnsafeRawPointer
    @usableFromInline let linesPerStep: Int
    @usableFromInline let level: PrefetchLevel

    /// `floats` floats from `start`, over `steps` calls of `step()`.
    @inlinable
    public init(_ start: UnsafePointer<Float>, floats: Int, steps: Int, into level: PrefetchLevel) {
        let lines = (floats * MemoryLayout<Float>.size + Self.lineBytes - 1) / Self.lineBytes
        next = UnsafeRawPointer(start)
        end = next + lines * Self.lineBytes
        linesPerStep = (lines + max(steps, 1) - 1) / max(steps, 1)
        self.level = level
    }

    /// Nothing to prefetch.
    @inlinable
    public static var none: SpreadPrefetch { SpreadPrefetch() }

    @inlinable
    init() {
        next = UnsafeRawPointer(bitPattern: Self.lineBytes).unsafelyUnwrapped
        end = next
        linesPerStep = 0
        level = .l1
    }

    /// Prefetches the next share of the block.
    @inlinable @inline(__always)
    public mutating func step() {
        var lines = linesPerStep
        while lines > 0 && next < end {
            prefetch(next, into: level)
            next += Self.lineBytes
            lines -= 1
        }
    }
}
