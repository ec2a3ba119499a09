/// Max and average pooling over NCHW, in bands of output rows across all
/// channels, so each worker reads the rows its own core wrote in the
/// convolution before (`parallelRowBands`).
///
/// Max pooling skips taps in the padding (padding never wins the max; a NaN
/// tap does, as in PyTorch); average pooling has no padding and divides each
/// window's sum (in row-major tap order) by kH·kW. Neither reads its output.
enum Pooling {
    /// Separable: each output row takes the max of its window's input rows
    /// into a row buffer bordered with −∞ (so padding never wins), then the
    /// max along each window of that buffer, eight outputs at a time for
    /// strides 1 and 2. A NaN tap wins, as in PyTorch.
    static func max(_ p: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                    threads: Int) {
        // Room for every window tap, plus a 16-wide load past the last one.
        let bufferWidth = Swift.max(p.padLeft &+ p.inW, (p.outW &- 1) &* p.strideW &+ p.kernelW) &+ 16
        forEachBand(p, input: input, output: output, threads: threads) { source, target, rows in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: bufferWidth) { buffer in
                guard let row = buffer.baseAddress else { return }
                row.update(repeating: -.infinity, count: bufferWidth)
                let line = row + p.padLeft
                for oh in rows {
                    let top = oh &* p.strideH &- p.padTop
                    let rows = Swift.max(top, 0)..<Swift.min(top &+ p.kernelH, p.inH)
                    line.update(from: source + rows.lowerBound &* p.inW, count: p.inW)
                    for ih in rows.dropFirst() { maxInPlace(line, source + ih &* p.inW, count: p.inW) }
                    windowMax(row, into: target + oh &* p.outW, p)
                }
            }
        }
    }

    /// `a[i] = larger of a[i], b[i]`, a NaN in `b` winning.
    @inline(__always)
    private static func maxInPlace(_ a: UnsafeMutablePointer<Float>, _ b: UnsafePointer<Float>, count: Int) {
        var i = 0
        while i &+ 8 <= count {
            var best = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
            let x = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
            best.replace(with: x, where: (x .> best) .| (x .!= x))
            UnsafeMutableRawPointer(a + i).storeBytes(of: best, as: SIMD8<Float>.self)
            i &+= 8
        }
        while i < count {
            if b[i] > a[i] || b[i].isNaN { a[i] = b[i] }
            i &+= 1
        }
    }

    /// `out[ow] = max of row[ow·stride ..< ow·stride + kernelW]` for one output row.
    @inline(__always)
    private static func windowMax(_ row: UnsafeMutablePointer<Float>, into out: UnsafeMutablePointer<Float>,
                                  _ p: PoolGeometry) {
        var ow = 0
        if p.strideW <= 2 {
            while ow &+ 8 <= p.outW {
                let first = row + ow &* p.strideW
                var best = SIMD8<Float>(repeating: -.infinity)
                for kw in 0..<p.kernelW {
                    let x = p.strideW == 1
                        ? UnsafeRawPointer(first + kw).loadUnaligned(as: SIMD8<Float>.self)
                        : UnsafeRawPointer(first + kw).loadUnaligned(as: SIMD16<Float>.self).evenHalf
                    best.replace(with: x, where: (x .> best) .| (x .!= x))
                }
                UnsafeMutableRawPointer(out + ow).storeBytes(of: best, as: SIMD8<Float>.self)
                ow &+= 8
            }
        }
        while ow < p.outW {
            let first = row + ow &* p.strideW
            var best = -Float.infinity
            for kw in 0..<p.kernelW where first[kw] > best || first[kw].isNaN { best = first[kw] }
            out[ow] = best
            ow &+= 1
        }
    }

    static func average(_ p: PoolGeometry, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                        threads: Int) {
        let divisor = Float(p.kernelH &* p.kernelW)
        forEachBand(p, input: input, output: output, threads: threads) { source, target, rows in
            for oh in rows {
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

    /// Runs `body(inputPlane, outputPlane, outputRows)` for every (image,
    /// channel) plane and band of output rows, in parallel over bands.
    @inline(__always)
    private static func forEachBand(_ p: PoolGeometry, input: UnsafePointer<Float>,
                                    output: UnsafeMutablePointer<Float>, threads: Int,
                                    _ body: (UnsafePointer<Float>, UnsafeMutablePointer<Float>, Range<Int>) -> Void) {
        parallelRowBands(images: p.batch, rows: p.outH, threads: threads) { image, rows in
            for channel in 0..<p.channels {
                let plane = image &* p.channels &+ channel
                body(input + plane &* p.inH &* p.inW, output + plane &* p.outH &* p.outW, rows)
            }
        }
    }
}
