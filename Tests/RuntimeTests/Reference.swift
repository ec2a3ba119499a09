import Foundation
import Runtime

/// Naive float64 implementations of every kernel, written from the definitions.
enum Reference {
    static func conv(_ x: [Float], _ g: ConvGeometry, weights w: [Float], bias: [Float]?, residual: [Float]?,
                     relu: Bool) -> [Double] {
        var y = [Double](repeating: 0, count: g.batch * g.outChannels * g.outH * g.outW)
        let icPerGroup = g.inChannels / g.groups, ocPerGroup = g.outChannels / g.groups
        for n in 0..<g.batch {
            for oc in 0..<g.outChannels {
                let group = oc / ocPerGroup
                for oh in 0..<g.outH {
                    for ow in 0..<g.outW {
                        var sum = 0.0
                        for icl in 0..<icPerGroup {
                            let ic = group * icPerGroup + icl
                            for kh in 0..<g.kernelH {
                                for kw in 0..<g.kernelW {
                                    let ih = oh * g.strideH + kh * g.dilationH - g.padTop
                                    let iw = ow * g.strideW + kw * g.dilationW - g.padLeft
                                    guard ih >= 0, ih < g.inH, iw >= 0, iw < g.inW else { continue }
                                    let xv = x[((n * g.inChannels + ic) * g.inH + ih) * g.inW + iw]
                                    let wv = w[((oc * icPerGroup + icl) * g.kernelH + kh) * g.kernelW + kw]
                                    sum += Double(xv) * Double(wv)
                                }
                            }
                        }
                        let index = ((n * g.outChannels + oc) * g.outH + oh) * g.outW + ow
                        sum += Double(bias?[oc] ?? 0)
                        sum += Double(residual?[index] ?? 0)
                        y[index] = relu ? max(sum, 0) : sum
                    }
                }
            }
        }
        return y
    }

    static func pool(_ x: [Float], _ p: PoolGeometry, max isMax: Bool) -> [Double] {
        var y: [Double] = []
        for plane in 0..<(p.batch * p.channels) {
            for oh in 0..<p.outH {
                for ow in 0..<p.outW {
                    var taps: [Double] = []
                    for kh in 0..<p.kernelH {
                        for kw in 0..<p.kernelW {
                            let ih = oh * p.strideH + kh - p.padTop, iw = ow * p.strideW + kw - p.padLeft
                            guard ih >= 0, ih < p.inH, iw >= 0, iw < p.inW else { continue }
                            taps.append(Double(x[(plane * p.inH + ih) * p.inW + iw]))
                        }
                    }
                    y.append(isMax ? taps.max()! : taps.reduce(0, +) / Double(p.kernelH * p.kernelW))
                }
            }
        }
        return y
    }

    static func globalAveragePool(_ x: [Float], planes: Int, size: Int) -> [Double] {
        (0..<planes).map { p in x[(p * size)..<((p + 1) * size)].reduce(0.0) { $0 + Double($1) } / Double(size) }
    }

    static func fc(_ x: [Float], batch: Int, inFeatures: Int, weight: [Float], bias: [Float]?, relu: Bool) -> [Double] {
        let outFeatures = weight.count / inFeatures
        var y: [Double] = []
        for n in 0..<batch {
            for k in 0..<outFeatures {
                var sum = Double(bias?[k] ?? 0)
                for c in 0..<inFeatures { sum += Double(x[n * inFeatures + c]) * Double(weight[k * inFeatures + c]) }
                y.append(relu ? max(sum, 0) : sum)
            }
        }
        return y
    }

    static func softmax(_ x: [Double], length: Int) -> [Double] {
        stride(from: 0, to: x.count, by: length).flatMap { start -> [Double] in
            let row = x[start..<(start + length)]
            let top = row.max()!
            let e = row.map { exp($0 - top) }
            let sum = e.reduce(0, +)
            return e.map { $0 / sum }
        }
    }

    static func affine(_ x: [Float], channels: Int, planeSize: Int, scale: [Float], shift: [Float],
                       residual: [Float]?, relu: Bool) -> [Double] {
        x.indices.map { i in
            let c = i / planeSize % channels
            var v = Double(x[i]) * Double(scale[c]) + Double(shift[c]) + Double(residual?[i] ?? 0)
            if relu { v = max(v, 0) }
            return v
        }
    }
}
