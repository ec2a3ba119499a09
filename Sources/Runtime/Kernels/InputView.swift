/// One image's convolution input as the GEMM's B matrix, read in place:
///
/// - flat (1x1 convolutions; `offsets == nil`): B is row-major, element
///   (k, pixel) at `base + k·plane + pixel` — the input itself, or its
///   subsampled copy for a strided 1x1;
/// - indirect (everything else): element (k, virtual pixel v) at
///   `base + offsets[k] + v` in the zero-padded polyphase copy
///   (`PackedConvolution.prepareInput`).
struct InputView {
    var base: UnsafePointer<Float>
    /// Floats between consecutive input channels.
    var plane: Int
    /// The indirection table of an indirect view, one entry per k.
    var offsets: UnsafePointer<Int32>?

    /// A strided 1x1 convolution's input, subsampled into `copy`
    /// (inChannels × outH·outW floats): channel c, pixel p of the output grid.
    static func subsampled(_ image: UnsafePointer<Float>, geometry g: ConvGeometry, into copy: UnsafeMutablePointer<Float>,
                           threads: Int) -> InputView {
        let (inPlane, outPlane) = (g.inH * g.inW, g.outH * g.outW)
        parallelFor(g.inChannels, threads: threads) { c in
            let src = image + c * inPlane, dst = copy + c * outPlane
            for oh in 0..<g.outH {
                StridedRow.copy(src + oh * g.strideH * g.inW, width: g.inW, stride: g.strideW, offset: 0, count: g.outW,
                                into: dst + oh * g.outW)
            }
        }
        return InputView(base: copy, plane: outPlane)
    }

    /// The view of group `group`'s input channels.
    func forGroup(_ group: Int, channels: Int) -> InputView {
        var view = self
        view.base += group * channels * plane
        return view
    }

    /// Packs rows `kStart..<kStart+kCount`, pixels `nStart..<nStart+cols`
    /// (cols ≤ NR) of a flat view into one contiguous NR-wide panel, zero
    /// past the last pixel (reading a partial panel in place would run past
    /// the input).
    func packPanel(kStart: Int, kCount: Int, nStart: Int, cols: Int, into dst: UnsafeMutablePointer<Float>) {
        let nr = GEMMMicrokernel6x16.nr
        let src = base + (kStart * plane + nStart)
        if cols == nr {
            // A whole panel: one 16-float vector (NR) per k step.
            for kk in 0..<kCount {
                UnsafeMutableRawPointer(dst + kk * nr).storeBytes(
                    of: UnsafeRawPointer(src + kk * plane).loadUnaligned(as: SIMD16<Float>.self), as: SIMD16<Float>.self)
            }
            return
        }
        for kk in 0..<kCount {
            let row = dst + kk * nr
            row.update(from: src + kk * plane, count: cols)
            (row + cols).update(repeating: 0, count: nr - cols)
        }
    }
}
