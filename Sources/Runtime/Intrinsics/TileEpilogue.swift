// Compiled with `-parse-stdlib` like the rest of this module; both
// microkernels (`GEMMMicrokernel6x16`, `GEMMMicrokernel6x64`) take it.
import Swift

/// What a microkernel does with its accumulators before storing them, in
/// this order: add the C tile already in memory, the row's bias, the
/// residual, then `x · scale + shift` per row, then clamp at zero.
@frozen public struct TileEpilogue {
    /// Adds the `C` tile already in memory (a previous K block's sum).
    public var accumulate: Bool
    /// Bias of the tile's first row (rows follow contiguously), or nil.
    public var bias: UnsafePointer<Float>?
    /// Residual tile with the same layout as `C`, or nil.
    public var residual: UnsafePointer<Float>?
    /// Per-row `x · scale + shift` (the tile's first row; rows follow), or nil.
    public var scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)?
    /// Clamps negative results to zero.
    public var relu: Bool

    @inlinable
    public init(accumulate: Bool, bias: UnsafePointer<Float>? = nil, residual: UnsafePointer<Float>? = nil,
                scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)? = nil, relu: Bool = false) {
        (self.accumulate, self.bias, self.residual, self.scaleShift, self.relu) = (accumulate, bias, residual, scaleShift, relu)
    }

    /// Stores the raw sums.
    @inlinable
    public static var none: TileEpilogue { TileEpilogue(accumulate: false) }
}
