// Compiled with `-parse-stdlib` (see Package.swift): the one way Swift code
// reaches an LLVM intrinsic that the standard library does not wrap.
import Swift

/// Which caches a prefetched line should be brought into.
public enum PrefetchLevel {
    /// Every level, L1 included (`prefetcht0`): data the next few
    /// microseconds read many times.
    case l1
    /// L2 and below (`prefetcht1`): data too large to sit in L1 next to what
    /// the loop is reading now.
    case l2
}

/// Starts loading the cache line holding `address`, without waiting for it
/// and without faulting if the address is invalid.
@inlinable @inline(__always)
public func prefetch(_ address: UnsafeRawPointer, into level: PrefetchLevel) {
    let read = Int32(0)._value, data = Int32(1)._value
    switch level {
    case .l1: Builtin.int_prefetch_RawPointer(address._rawValue, read, Int32(3)._value, data)
    case .l2: Builtin.int_prefetch_RawPointer(address._rawValue, read, Int32(2)._value, data)
    }
}
