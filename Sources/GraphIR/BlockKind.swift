/// The residual blocks `block` and `stage` expand, named as torchvision's
/// `state_dict` names their layers.
enum BlockKind: String, CaseIterable, Sendable {
    /// ResNet-18/34: two 3x3 convs.
    case basic
    /// ResNet-50/101/152 and ResNeXt: 1x1 → 3x3 (grouped) → 1x1.
    case bottleneck
    /// Pre-activation two 3x3 convs (He et al. 2016).
    case preactBasic = "preact_basic"
    /// Pre-activation 1x1 → 3x3 → 1x1.
    case preactBottleneck = "preact_bottleneck"

    /// A block's attributes after defaults.
    struct Settings: Hashable, Sendable {
        /// Output channels (`out=`).
        var out: Int
        /// Bottleneck width (`width=`); unused by basic blocks.
        var width: Int
        var stride: Pair
        var groups: Int
        /// `stride_on=1x1`: the bottleneck's stride sits on conv1, not conv2.
        var strideOn1x1: Bool
    }

    /// The attributes `block KIND` accepts (`stage` adds `blocks`).
    var schema: OpSchema {
        switch self {
        case .basic, .preactBasic:
            OpSchema(arity: 1, attributes: ["out": .positiveInt, "stride": .pair], required: ["out"])
        case .bottleneck:
            OpSchema(arity: 1, attributes: [
                "width": .positiveInt, "out": .positiveInt, "stride": .pair, "groups": .positiveInt,
                "stride_on": .choice(["3x3", "1x1"]),
            ], required: ["width", "out"])
        case .preactBottleneck:
            OpSchema(arity: 1, attributes: ["width": .positiveInt, "out": .positiveInt, "stride": .pair],
                     required: ["width", "out"])
        }
    }

    /// The layer statements of block `name` reading `input` (which has
    /// `inChannels` channels). The last statement defines `name`, the block's
    /// output. A projection shortcut appears when the stride is not 1 or the
    /// channel count changes.
    func expand(name: String, input: String, inChannels: Int, settings s: Settings) -> [LayerStatement] {
        var out: [LayerStatement] = []
        func add(_ suffix: String?, _ op: Op, _ inputs: [String]) -> String {
            let value = suffix.map { "\(name).\($0)" } ?? name
            out.append(LayerStatement(name: value, op: op, inputs: inputs))
            return value
        }
        func conv(_ channels: Int, _ kernel: Int, stride: Pair = Pair(1), groups: Int = 1) -> Op {
            .conv(ConvAttributes(outChannels: channels, kernel: Pair(kernel), stride: stride,
                                 padding: .explicit(Insets(kernel / 2)), groups: groups))
        }
        let bn = Op.batchNorm(epsilon: 1e-5)
        let projects = s.stride != Pair(1) || inChannels != s.out

        switch self {
        case .basic, .bottleneck:
            var x = input
            if self == .basic {
                x = add("conv1", conv(s.out, 3, stride: s.stride), [x])
                x = add("bn1", bn, [x])
                x = add("relu1", .relu, [x])
                x = add("conv2", conv(s.out, 3), [x])
                x = add("bn2", bn, [x])
            } else {
                x = add("conv1", conv(s.width, 1, stride: s.strideOn1x1 ? s.stride : Pair(1)), [x])
                x = add("bn1", bn, [x])
                x = add("relu1", .relu, [x])
                x = add("conv2", conv(s.width, 3, stride: s.strideOn1x1 ? Pair(1) : s.stride, groups: s.groups), [x])
                x = add("bn2", bn, [x])
                x = add("relu2", .relu, [x])
                x = add("conv3", conv(s.out, 1), [x])
                x = add("bn3", bn, [x])
            }
            var shortcut = input
            if projects {
                shortcut = add("downsample.0", conv(s.out, 1, stride: s.stride), [input])
                shortcut = add("downsample.1", bn, [shortcut])
            }
            let sum = add("add", .add, [x, shortcut])
            _ = add(nil, .relu, [sum])

        case .preactBasic, .preactBottleneck:
            let activated = add("relu1", .relu, [add("bn1", bn, [input])])
            var x = activated
            if self == .preactBasic {
                x = add("conv1", conv(s.out, 3, stride: s.stride), [x])
                x = add("relu2", .relu, [add("bn2", bn, [x])])
                x = add("conv2", conv(s.out, 3), [x])
            } else {
                x = add("conv1", conv(s.width, 1), [x])
                x = add("relu2", .relu, [add("bn2", bn, [x])])
                x = add("conv2", conv(s.width, 3, stride: s.stride), [x])
                x = add("relu3", .relu, [add("bn3", bn, [x])])
                x = add("conv3", conv(s.out, 1), [x])
            }
            let shortcut = projects ? add("shortcut", conv(s.out, 1, stride: s.stride), [activated]) : input
            _ = add(nil, .add, [x, shortcut])
        }
        return out
    }
}
