import GraphIR

/// Random small ResNet-like models as `.def` text, for property tests: a stem
/// (conv with random kernel, stride and padding including `same`, optional
/// bn/relu and max pool), a random stack of basic / bottleneck /
/// pre-activation blocks (strides, groups, `stride_on`), and a head.
struct RandomModel {
    /// Draws from `SplitMix64`: the same sequence on every machine.
    struct Generator {
        var rng: SplitMix64
        init(state: UInt64) { rng = SplitMix64(seed: state) }
        mutating func int(_ range: ClosedRange<Int>) -> Int {
            range.lowerBound + Int(rng.next() % UInt64(range.count))
        }
        mutating func bool() -> Bool { rng.next() & 1 == 0 }
        mutating func pick<T>(_ options: [T]) -> T { options[int(0...(options.count - 1))] }
    }

    /// The model for `seed` and a one-line description of it.
    static func def(seed: UInt64) -> String {
        var g = Generator(state: seed)
        var lines: [String] = []
        let batch = g.int(1...2), channels = g.int(1...4)
        var h = g.int(9...20), w = g.int(9...20)
        lines.append("input x shape=\(batch)x\(channels)x\(h)x\(w)")
        var c = g.int(4...12)
        let kernel = g.pick([1, 3, 5, 7])
        let stride = g.int(1...2)
        let pad = g.pick(["0", "1", "same", "\(kernel / 2)", "1,0,2,1"])
        lines.append("conv stem x out=\(c) kernel=\(kernel) stride=\(stride) pad=\(pad) bias=\(g.bool())")
        (h, w) = outputSize(h, w, kernel: kernel, stride: stride, pad: pad)
        var last = "stem"
        if g.bool() { lines.append("bn stem_bn \(last)"); last = "stem_bn" }
        if g.bool() { lines.append("relu stem_relu \(last)"); last = "stem_relu" }
        if g.bool() && h >= 6 && w >= 6 {
            let poolPad = g.pick(["1", "same"])
            lines.append("maxpool pool \(last) kernel=3 stride=2 pad=\(poolPad)")
            (h, w) = outputSize(h, w, kernel: 3, stride: 2, pad: poolPad)
            last = "pool"
        }
        for b in 0..<g.int(1...4) {
            let kind = g.pick(["basic", "bottleneck", "preact_basic", "preact_bottleneck"])
            let s = (h >= 4 && w >= 4 && g.bool()) ? 2 : 1
            let name = "b\(b)"
            var statement = "block \(kind) \(name) \(last)"
            switch kind {
            case "bottleneck":
                let groups = g.pick([1, 2])
                let width = groups * g.int(1...4)
                c = g.int(2...6) * 2
                statement += " width=\(width) out=\(c) groups=\(groups)"
                if g.bool() { statement += " stride_on=1x1" }
            case "preact_bottleneck":
                c = g.int(4...12)
                statement += " width=\(g.int(2...8)) out=\(c)"
            default:
                c = g.pick([c, g.int(4...12)])
                statement += " out=\(c)"
            }
            if s == 2 { statement += " stride=2" }
            lines.append(statement)
            (h, w) = ((h + 2 - 3) / s + 1, (w + 2 - 3) / s + 1)
            last = name
        }
        switch g.int(0...2) {
        case 0:
            lines.append("globalavgpool gap \(last)")
            lines.append("fc fc gap out=\(g.int(2...10))")
            lines.append("output fc")
        case 1:
            lines.append("flatten flat \(last)")
            lines.append("fc fc flat out=\(g.int(2...10)) bias=\(g.bool())")
            lines.append("softmax prob fc")
            lines.append("output prob")
        default:
            lines.append("relu head \(last)")
            lines.append("output head")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A window op's output size (`pad` as written: P, t,l,b,r or same).
    static func outputSize(_ h: Int, _ w: Int, kernel: Int, stride: Int, pad: String) -> (Int, Int) {
        if pad == "same" { return ((h + stride - 1) / stride, (w + stride - 1) / stride) }
        let p = pad.split(separator: ",").compactMap { Int($0) }
        let (t, l, b, r) = p.count == 4 ? (p[0], p[1], p[2], p[3]) : (p[0], p[0], p[0], p[0])
        return ((h + t + b - kernel) / stride + 1, (w + l + r - kernel) / stride + 1)
    }
}
