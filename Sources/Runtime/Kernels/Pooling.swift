/// Max and average pooling over NCHW, one task per channel plane.
///
/// Max pooling skips taps in the padding (padding never wins the max; a NaN
/// tap does, as in PyTorch); average pooling has no padding and divides each
/// window's sum (in row-major tap order) by kH·kW. Neither reads its output.
enum Pooling {
    static func max(_ p: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                    threads: Int) {
        forEachPlane(p, input: input, output: output, threads: threads) { source, target in
            for oh in 0..<p.outH {
                let top = oh &* p.strideH &- p.padTop
                let rows = Swift.max(top, 0)..<Swift.min(top &+ p.kernelH, p.inH)
                for ow in 0..<p.outW {
                    let left = ow &* p.strideW &- p.padLeft
                    let columns = Swift.max(left, 0)..<Swift.min(left &+ p.kernelW, p.inW)
                    var best = -Float.infinity
                    for ih in rows {
                        let line = source + ih &* p.inW
                        for iw in columns where line[iw] > best || line[iw].isNaN { best = line[iw] }
                    }
                    target[oh &* p.outW &+ ow] = best
                }
            }
        }
    }

    static func average(_ p: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                        threads: Int) {
        let divisor = Float(p.kernelH &* p.kernelW)
        forEachPlane(p, input: input, output: output, threads: threads) { source, target in
            for oh in 0..<p.outH {
                for ow in 0..<p.outW {
                    let corner = source + (oh &* p.strideH &* p.inW &+ ow &* p.strideW)
                    var sum: Float = 0
                    for kh in 0..<p.kernelH {
                        for kw in 0..<p.kernelW { sum += corner[kh &* p.inW &+ kw] }
                    }
                    target[oh &* p.outW &+ ow] = sum / divisor
                }
            }
        }
    }

    /// Runs `body(inputPlane, outputPlane)` for every (image, channel) plane in parallel.
    @inline(__always)
    private static func forEachPlane(_ p: PoolGeometry, input: UnsafePointer<Float>,
                                     output: UnsafeMutablePointer<Float>, threads: Int,
                                     _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) {
        parallelFor(p.batch * p.channels, threads: threads) { plane in
            body(input + plane &* p.inH &* p.inW, output + plane &* p.outH &* p.outW)
        }
    }
}
