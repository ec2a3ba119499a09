// Compiled with `-parse-stdlib` like the rest of this module; `@inlinable`,
// so the microkernel steps it without a call.
import Swift

/// Fetches the 6×64 block of C that the next microkernel call ends on (and
/// the residual block its epilogue adds) into L1, a line of each per k step
/// of the current call.
///
/// A 1x1 convolution's tile is six 256-byte pieces of six channel planes,
/// so the hardware prefetcher sees no stream in them, and without this the
/// epilogue's residual loads and its stores' line fills each wait on L3 or
/// memory once the sums are done. Measured on two threads at batch 8
/// (activations past L2): 64→256 at 56×56 with residual 0.78, 128→512 at
/// 28×28 0.90, 256→1024 at 14×14 0.95; those steps in ResNet-50 0.90–0.93.
@frozen public struct TilePrefetch {
    /// Lines fetched per row: a 256-byte row piece spans five lines unless it is 64-byte aligned.
    @usableFromInline static var linesPerRow: Int { 5 }
    @usableFromInline static var lines: Int { 6 * linesPerRow }

    @usableFromInline let c: UnsafeRawPointer
    @usableFromInline let residual: UnsafeRawPointer?
    @usableFromInline let rowBytes: Int
    @usableFromInline var line: Int

    /// The 6×64 block at `c` (rows `ldc` floats apart) and, if given, the
    /// residual block at `residual` with the same layout.
    @inlinable
    public init(c: UnsafePointer<Float>, residual: UnsafePointer<Float>?, ldc: Int) {
        self.c = UnsafeRawPointer(c)
        self.residual = residual.map { UnsafeRawPointer($0) }
        rowBytes = ldc &* MemoryLayout<Float>.size
        line = 0
    }

    /// Nothing to fetch.
    @inlinable
    public static var none: TilePrefetch {
        var nothing = TilePrefetch(c: UnsafePointer(bitPattern: 64).unsafelyUnwrapped, residual: nil, ldc: 0)
        nothing.line = lines
        return nothing
    }

    /// Fetches the next line of the block (the first, second, third and
    /// fourth 64 bytes of a row, then its last byte), if any is left.
    @inlinable @inline(__always)
    public mutating func step() {
        guard line < Self.lines else { return }
        let (row, piece) = line.quotientAndRemainder(dividingBy: Self.linesPerRow)
        let at = row &* rowBytes &+ (piece == 4 ? 255 : piece &* 64)
        prefetch(c + at, into: .l1)
        if let residual { prefetch(residual + at, into: .l1) }
        line &+= 1
    }
}
