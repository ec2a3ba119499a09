/// The `-O0` convolution: OIHW weights, a direct loop, any groups, stride,
/// dilation and explicit padding.
///
/// ```
/// weights  [outC][inC/groups][kH][kW]       (OIHW, row-major)
/// input    [N][inC][inH][inW]
/// output   [N][outC][outH][outW]
/// ```
///
/// Work is split over output tiles (image × output channel × `rowsPerTask`
/// rows); each tile starts its rows at bias + residual, accumulates in Float
/// over input channel, kernel row, kernel column (taps in padding are
/// skipped), then applies the post scale/shift and ReLU. Every output element is summed in the same
/// order on any thread count. The kernel never reads its output before
/// writing it, and the output may alias the residual.
enum DirectConvolution {
    /// Output rows per parallel task.
    static let rowsPerTask = 4

    static func run(_ g: ConvGeometry, input: UnsafePointer<Float>, weights: UnsafePointer<Float>,
                    bias: UnsafePointer<Float>?, residual: UnsafePointer<Float>?,
                    scaleShift: (scale: UnsafePointer<Float>, shift: UnsafePointer<Float>)? = nil, relu: Bool,
                    output: UnsafeMutablePointer<Float>, threads: Int) {
        let rowTiles = (g.outH + rowsPerTask - 1) / rowsPerTask
        let inPerGroup = g.inChannels / g.groups, outPerGroup = g.outChannels / g.groups
        let inPlane = g.inH &* g.inW, outPlane = g.outH &* g.outW
        parallelFor(g.batch * g.outChannels * rowTiles, threads: threads) { task in
            let tile = task % rowTiles, oc = (task / rowTiles) % g.outChannels, n = task / rowTiles / g.outChannels
            let firstInput = input + (n &* g.inChannels &+ oc / outPerGroup &* inPerGroup) &* inPlane
            let filter = weights + oc &* inPerGroup &* g.kernelH &* g.kernelW
            let plane = (n &* g.outChannels &+ oc) &* outPlane
            for oh in (tile &* rowsPerTask)..<min(g.outH, (tile &+ 1) &* rowsPerTask) {
                let row = output + (plane &+ oh &* g.outW)
                // Start from bias + residual: the output may alias the residual,
                // whose row is read here before anything else writes it.
                let rowBias = bias.map { $0[oc] } ?? 0
                if let residual {
                    let rowResidual = residual + (plane &+ oh &* g.outW)
                    for ow in 0..<g.outW { row[ow] = rowResidual[ow] + rowBias }
                } else {
                    row.update(repeating: rowBias, count: g.outW)
                }
                for ic in 0..<inPerGroup {
                    for kh in 0..<g.kernelH {
                        let ih = oh &* g.strideH &+ kh &* g.dilationH &- g.padTop
                        if ih < 0 || ih >= g.inH { continue }
                        let source = firstInput + (ic &* inPlane &+ ih &* g.inW)
                        let taps = filter + (ic &* g.kernelH &+ kh) &* g.kernelW
                        for kw in 0..<g.kernelW {
                            accumulate(row, source, weight: taps[kw], offset: kw &* g.dilationW &- g.padLeft,
                                       stride: g.strideW, inW: g.inW, outW: g.outW)
                        }
                    }
                }
                if let (scale, shift) = scaleShift {
                    for ow in 0..<g.outW { row[ow] = row[ow] * scale[oc] + shift[oc] }
                }
                if relu {
                    for ow in 0..<g.outW { row[ow] = max(row[ow], 0) }
                }
            }
        }
    }

    /// `row[ow] += weight · source[ow·stride + offset]` for every `ow` whose tap is inside the input row.
    @inline(__always)
    private static func accumulate(_ row: UnsafeMutablePointer<Float>, _ source: UnsafePointer<Float>,
                                   weight: Float, offset: Int, stride: Int, inW: Int, outW: Int) {
        let first = offset >= 0 ? 0 : (stride &- 1 &- offset) / stride
        let last = inW &- 1 &- offset
        if last < 0 { return }
        let end = min(outW, last / stride &+ 1)
        if first >= end { return }
        if stride == 1 {
            let shifted = source + offset
            for ow in first..<end { row[ow] += weight * shifted[ow] }
        } else {
            for ow in first..<end { row[ow] += weight * source[ow &* stride &+ offset] }
        }
    }
}
