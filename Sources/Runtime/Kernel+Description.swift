extension Kernel {
    /// A short name for dumps and profiles: `conv.direct 3x3/1`, `maxpool 3x3/2`, `fc`.
    ///
    /// Convolutions add ` g32` for groups and ` d2` for dilation when not 1;
    /// strides and dilations that differ per axis print as `2x1`.
    public var name: String {
        switch self {
        case let .conv(conv):
            let g = conv.geometry
            var name = "conv.\(conv.algorithm.rawValue) \(g.kernelH)x\(g.kernelW)/\(pair(g.strideH, g.strideW))"
            if g.groups != 1 { name += " g\(g.groups)" }
            if g.dilationH != 1 || g.dilationW != 1 { name += " d\(pair(g.dilationH, g.dilationW))" }
            return name
        case let .maxPool(p): return "maxpool \(p.kernelH)x\(p.kernelW)/\(pair(p.strideH, p.strideW))"
        case let .avgPool(p): return "avgpool \(p.kernelH)x\(p.kernelW)/\(pair(p.strideH, p.strideW))"
        case .globalAvgPool: return "globalavgpool"
        case .fc: return "fc"
        case .softmax: return "softmax"
        case .add: return "add"
        case .relu: return "relu"
        case .affine: return "affine"
        case .copy: return "copy"
        }
    }

    /// Whether the kernel may write its output exactly over an input: true for
    /// kernels that read each element before writing the same element.
    /// Whether the kernel may write its output over operand `i` (the same
    /// range exactly): elementwise kernels over any operand, a convolution
    /// over its residual only (its epilogue reads each element before
    /// writing it).
    func mayOverwrite(operand i: Int) -> Bool {
        switch self {
        case .softmax, .add, .relu, .affine, .copy: return true
        case let .conv(conv): return conv.residual && i == 1
        case .maxPool, .avgPool, .globalAvgPool, .fc: return false
        }
    }

    private func pair(_ a: Int, _ b: Int) -> String { a == b ? "\(a)" : "\(a)x\(b)" }
}
