// Compiled with `-parse-stdlib` like the rest of this module; `@inlinable`,
// so each kernel module compiles it for its own target CPU.
import Swift

/// ReLU on vectors as integer operations: a lane whose sign bit is set
/// becomes +0, every other lane is kept — the same bits as
/// `max(x, 0)` for every non-NaN x (−0 included). The standard library's
/// `pointwiseMax` lowers to a per-lane compare-and-branch loop, not `vmaxps`.
extension SIMD8 where Scalar == Float {
    @inlinable @inline(__always)
    public var clampedAtZero: Self {
        let bits = unsafeBitCast(self, to: SIMD8<Int32>.self)
        return unsafeBitCast(bits & ~(bits &>> 31), to: Self.self)
    }
}

extension SIMD16 where Scalar == Float {
    @inlinable @inline(__always)
    public var clampedAtZero: Self {
        let bits = unsafeBitCast(self, to: SIMD16<Int32>.self)
        return unsafeBitCast(bits & ~(bits &>> 31), to: Self.self)
    }
}
