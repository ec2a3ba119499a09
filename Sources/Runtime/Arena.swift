/// One run's memory: the plan's arena followed by the outputs, 64-byte
/// aligned. Reused between runs, so it holds garbage (even NaN) when a run
/// starts; kernels never read what they have not written.
final class Arena: @unchecked Sendable {
    let base: UnsafeMutableRawPointer
    let bytes: Int

    init(bytes: Int) {
        self.bytes = bytes
        base = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 1), alignment: 64)
    }

    deinit { base.deallocate() }
}
