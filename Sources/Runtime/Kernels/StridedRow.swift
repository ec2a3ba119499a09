/// Copies of every `stride`-th float of an input row, the gather under the
/// strided convolutions' input copies (`InputView.subsampled`, the
/// polyphase copy of `PackedConvolution.prepareInput`). Stride 2, the only
/// one ResNets use, goes eight floats at a time, the even lanes of a
/// 16-float load (measured: the element-by-element copy took 1–2% of
/// ResNet-50).
enum StridedRow {
    /// `target[j] = row[j·stride + offset]` for j in 0..<count, zero where
    /// that column lies outside `0..<width`.
    @inline(__always)
    static func copy(_ row: UnsafePointer<Float>, width: Int, stride: Int, offset: Int, count: Int,
                     into target: UnsafeMutablePointer<Float>) {
        var j = 0
        if stride == 2 {
            // Up to the first column inside the row, then sixteen-float loads while they stay inside it.
            while j < count && 2 * j + offset < 0 {
                target[j] = 0
                j += 1
            }
            while j + 8 <= count && 2 * j + offset + 16 <= width {
                let pairs = UnsafeRawPointer(row + (2 * j + offset)).loadUnaligned(as: SIMD16<Float>.self)
                UnsafeMutableRawPointer(target + j).storeBytes(of: Shuffle.even(pairs), as: SIMD8<Float>.self)
                j += 8
            }
        }
        while j < count {
            let column = j * stride + offset
            target[j] = column >= 0 && column < width ? row[column] : 0
            j += 1
        }
    }
}
