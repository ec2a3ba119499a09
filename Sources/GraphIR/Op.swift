/// A height/width pair: a kernel size, a stride or a dilation.
public struct Pair: Hashable, Sendable, CustomStringConvertible {
    public var h: Int
    public var w: Int

    public init(_ h: Int, _ w: Int) { self.h = h; self.w = w }
    public init(_ both: Int) { self.init(both, both) }

    /// `3` when square, else `3x1` (the `.def` spelling).
    public var description: String { h == w ? "\(h)" : "\(h)x\(w)" }
}

/// Explicit zero (or, for max pooling, never-winning) padding on each side.
public struct Insets: Hashable, Sendable, CustomStringConvertible {
    public var top: Int, left: Int, bottom: Int, right: Int

    public init(top: Int, left: Int, bottom: Int, right: Int) {
        self.top = top; self.left = left; self.bottom = bottom; self.right = right
    }
    public init(_ all: Int) { self.init(top: all, left: all, bottom: all, right: all) }

    public static let zero = Insets(0)

    /// `1` when all sides agree, else `top,left,bottom,right`.
    public var description: String {
        top == left && left == bottom && bottom == right
            ? "\(top)" : "\(top),\(left),\(bottom),\(right)"
    }
}

/// Padding as written in the `.def`: explicit, or TensorFlow's `same`, which
/// is resolved against the input size by `resolved(inputH:inputW:kernel:stride:dilation:)`.
public enum Padding: Hashable, Sendable, CustomStringConvertible {
    case explicit(Insets)
    case same

    public static let zero = Padding.explicit(.zero)

    public var description: String {
        switch self {
        case .explicit(let insets): insets.description
        case .same: "same"
        }
    }

    /// The explicit insets for an input of `inputH`×`inputW`. For `same`:
    /// out = ceil(in / stride), total = max((out−1)·stride + (k−1)·dilation + 1 − in, 0),
    /// the odd pixel going to the bottom/right (TensorFlow).
    public func resolved(inputH: Int, inputW: Int, kernel: Pair, stride: Pair, dilation: Pair = Pair(1)) -> Insets {
        switch self {
        case .explicit(let insets):
            return insets
        case .same:
            func split(_ input: Int, _ k: Int, _ s: Int, _ d: Int) -> (Int, Int) {
                let out = (input + s - 1) / s
                let total = max((out - 1) * s + (k - 1) * d + 1 - input, 0)
                return (total / 2, total - total / 2)
            }
            let (top, bottom) = split(inputH, kernel.h, stride.h, dilation.h)
            let (left, right) = split(inputW, kernel.w, stride.w, dilation.w)
            return Insets(top: top, left: left, bottom: bottom, right: right)
        }
    }
}

/// Attributes of a 2-D convolution (`conv`).
public struct ConvAttributes: Hashable, Sendable {
    public var outChannels: Int
    public var kernel: Pair
    public var stride: Pair
    public var padding: Padding
    public var dilation: Pair
    public var groups: Int
    public var bias: Bool

    public init(outChannels: Int, kernel: Pair, stride: Pair = Pair(1), padding: Padding = .zero,
                dilation: Pair = Pair(1), groups: Int = 1, bias: Bool = false) {
        self.outChannels = outChannels; self.kernel = kernel; self.stride = stride
        self.padding = padding; self.dilation = dilation; self.groups = groups; self.bias = bias
    }
}

/// Attributes of `maxpool` and `avgpool`. `avgpool` never pads.
public struct PoolAttributes: Hashable, Sendable {
    public var kernel: Pair
    public var stride: Pair
    public var padding: Padding

    public init(kernel: Pair, stride: Pair, padding: Padding = .zero) {
        self.kernel = kernel; self.stride = stride; self.padding = padding
    }
}

/// What a node computes. Each case shows its `.def` line; the last ones only
/// appear after optimization.
public enum Op: Hashable, Sendable {
    /// `input x shape=1x3x224x224` — the graph input.
    case input(shape: [Int])
    /// `conv c x out=64 kernel=7 stride=2 pad=3 dilation=1 groups=1 bias=false`
    /// — weights `c.weight` [C, Cin/G, Kh, Kw], `c.bias` [C].
    case conv(ConvAttributes)
    /// `bn b x eps=1e-5` — `b.weight`, `b.bias`, `b.running_mean`, `b.running_var`.
    case batchNorm(epsilon: Double)
    /// `relu r x`
    case relu
    /// `add a x y` — elementwise sum of two equal shapes.
    case add
    /// `maxpool p x kernel=3 stride=2 pad=1` — padding never wins the max.
    case maxPool(PoolAttributes)
    /// `avgpool p x kernel=2 stride=2` — no padding.
    case avgPool(PoolAttributes)
    /// `globalavgpool g x` — [N, C, H, W] → [N, C].
    case globalAvgPool
    /// `flatten f x` — [N, C, H, W] → [N, C·H·W].
    case flatten
    /// `fc f x out=1000 bias=true` — `f.weight` [K, Cin], `f.bias` [K].
    case fc(outFeatures: Int, bias: Bool)
    /// `softmax s x` — over the last dimension of [N, K].
    case softmax
    /// `affine a x` — per-channel `x · scale + shift`, parameters `scale`, `shift` [C]:
    /// what remains of a BatchNorm that could not fold into a convolution.
    case affine

    /// The `.def` keyword.
    public var keyword: String {
        switch self {
        case .input: "input"
        case .conv: "conv"
        case .batchNorm: "bn"
        case .relu: "relu"
        case .add: "add"
        case .maxPool: "maxpool"
        case .avgPool: "avgpool"
        case .globalAvgPool: "globalavgpool"
        case .flatten: "flatten"
        case .fc: "fc"
        case .softmax: "softmax"
        case .affine: "affine"
        }
    }

    /// How many tensor operands the op takes (before any fused residual).
    public var arity: Int {
        switch self {
        case .input: 0
        case .add: 2
        case .conv, .batchNorm, .relu, .maxPool, .avgPool, .globalAvgPool, .flatten, .fc, .softmax, .affine: 1
        }
    }
}
