/// One image's convolution input as the GEMM's B matrix: element (k, pixel)
/// with k = (channel, tap row, tap column) and pixel = (oh, ow) lives at
///
///     base + channel·plane + tapRow·tapRowStep + tapCol·tapColStep
///          + oh·rowStep + ow·colStep
///
/// in a buffer with no out-of-bounds taps (the input itself for pointwise
/// convolutions, else a subsampled or zero-padded copy). A `flat` view is
/// the 1x1 case: pixels are contiguous, one "row" of `outW` = N pixels.
struct InputView {
    var base: UnsafePointer<Float>
    var plane: Int
    /// Pixels are contiguous and the buffer has no slack: a partial panel
    /// must not be read with a vector load.
    var flat: Bool
    var rowStep: Int, colStep: Int
    var tapRowStep: Int, tapColStep: Int
    var kernelH: Int, kernelW: Int
    var outW: Int
    /// For an indirect view: B row k of the panel at virtual pixel v starts
    /// at `base + v + offsets[k]`.
    var offsets: UnsafePointer<Int32>? = nil

    /// The view of group `group`'s input channels.
    func forGroup(_ group: Int, channels: Int) -> InputView {
        var view = self
        view.base += group * channels * plane
        return view
    }

    /// Packs rows `kStart..<kStart+kCount` and pixels `nStart..<nStart+nCount`
    /// of B into NR-column panels (layout in `PackedConvolution`), zero past
    /// pixel `n`. Each panel is filled one output-row segment at a time, a
    /// masked 16-lane load per k for strides 1 and 2.
    func pack(kStart: Int, kCount: Int, nStart: Int, nCount: Int, n: Int, into dst: UnsafeMutablePointer<Float>) {
        let nr = GEMMMicrokernel6x16.nr
        var panel = 0
        while panel * nr < nCount {
            let col0 = nStart + panel * nr
            let valid = min(nr, n - col0)
            let d = dst + panel * kCount * nr
            var lane = 0
            while lane < valid {
                let col = col0 + lane
                let oh = col / outW, ow = col % outW
                let count = min(valid - lane, outW - ow)
                // Address of lane 0 if the segment's row continued to the left.
                let offset = oh * rowStep + (ow - lane) * colStep
                packSegment(kStart: kStart, kCount: kCount, offset: offset, lanes: lane..<(lane + count),
                            first: lane == 0, into: d)
                lane += count
            }
            panel += 1
        }
    }

    /// Writes `lanes` of every k row of one panel; the first segment also
    /// zeroes the other lanes.
    private func packSegment(kStart: Int, kCount: Int, offset: Int, lanes: Range<Int>, first: Bool,
                             into d: UnsafeMutablePointer<Float>) {
        let nr = GEMMMicrokernel6x16.nr
        let taps = kernelH * kernelW
        var channel = kStart / taps
        var tapRow = kStart % taps / kernelW
        var tapCol = kStart % kernelW
        let full = lanes.count == nr
        let vector = (colStep == 1 || colStep == 2) && (full || !flat)
        let index = SIMD16<Int32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let mask = (index .>= Int32(lanes.lowerBound)) .& (index .< Int32(lanes.upperBound))
        for kk in 0..<kCount {
            let src = base + (channel * plane + tapRow * tapRowStep + tapCol * tapColStep + offset)
            let row = d + kk * nr
            if vector {
                let raw = UnsafeRawPointer(src)
                let v = colStep == 1 ? raw.loadUnaligned(as: SIMD16<Float>.self)
                                     : raw.loadUnaligned(as: SIMD32<Float>.self).evenHalf
                let out = UnsafeMutableRawPointer(row)
                if full {
                    out.storeBytes(of: v, as: SIMD16<Float>.self)
                } else if first {
                    out.storeBytes(of: SIMD16<Float>().replacing(with: v, where: mask), as: SIMD16<Float>.self)
                } else {
                    let old = out.loadUnaligned(as: SIMD16<Float>.self)
                    out.storeBytes(of: old.replacing(with: v, where: mask), as: SIMD16<Float>.self)
                }
            } else {
                if first { row.update(repeating: 0, count: nr) }
                for lane in lanes { row[lane] = src[lane * colStep] }
            }
            tapCol += 1
            if tapCol == kernelW {
                tapCol = 0
                tapRow += 1
                if tapRow == kernelH { tapRow = 0; channel += 1 }
            }
        }
    }
}
