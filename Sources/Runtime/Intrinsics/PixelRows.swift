// Compiled with `-parse-stdlib` like the rest of this module.
import Swift

/// Float offsets of a pixel panel's six output pixels from a k step's base,
/// as both microkernels gather them (a partial panel repeats its last pixel).
@frozen public struct PixelRows {
    public var r0, r1, r2, r3, r4, r5: Int

    @inlinable
    public init(r0: Int, r1: Int, r2: Int, r3: Int, r4: Int, r5: Int) {
        (self.r0, self.r1, self.r2, self.r3, self.r4, self.r5) = (r0, r1, r2, r3, r4, r5)
    }
}
