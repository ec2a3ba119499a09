/// A compiled model: a schedule of steps over one arena of intermediate
/// buffers, plus the pre-packed weights the steps read. Self-contained: running
/// it needs neither the `.def` nor a weights file.
///
/// A plan is immutable once built; one plan can serve many concurrent runs,
/// each with its own arena (see `Executor`).
public struct Plan: Sendable {
    /// The model's name (the `.def` file's base name).
    public var modelName: String
    /// The graph input's name and NCHW shape (its N is the compiled batch).
    public var input: TensorSpec
    /// The graph outputs, in `.def` order. `Location.output(i)` refers to `outputs[i]`.
    public var outputs: [TensorSpec]
    /// Bytes of the arena every intermediate buffer and scratch space lives in.
    public var arenaBytes: Int
    /// Sum of all intermediate values' sizes (what `-O0` allocates).
    public var naiveBytes: Int
    /// Largest total size of values live at any one step of this schedule.
    public var lowerBoundBytes: Int
    /// The arena's allocations, for inspection and validation.
    public var buffers: [BufferInfo]
    /// The schedule, executed in order.
    public var steps: [Step]
    /// All parameters, packed as the kernels want them.
    public var weights: WeightStorage

    public init(modelName: String, input: TensorSpec, outputs: [TensorSpec], arenaBytes: Int, naiveBytes: Int,
                lowerBoundBytes: Int, buffers: [BufferInfo], steps: [Step], weights: WeightStorage) {
        self.modelName = modelName; self.input = input; self.outputs = outputs
        self.arenaBytes = arenaBytes; self.naiveBytes = naiveBytes; self.lowerBoundBytes = lowerBoundBytes
        self.buffers = buffers; self.steps = steps; self.weights = weights
    }

    /// Total multiply-accumulates of one run (all images of the batch).
    public var macs: Int { steps.reduce(0) { $0 + $1.macs } }
}

/// A named tensor's shape (float32, NCHW or [N, K]).
public struct TensorSpec: Codable, Hashable, Sendable {
    public var name: String
    public var shape: [Int]
    public init(name: String, shape: [Int]) { self.name = name; self.shape = shape }
    public var count: Int { shape.reduce(1, *) }
}

/// Where a step's operand or result lives while the plan runs.
public enum Location: Codable, Hashable, Sendable {
    /// The caller's input tensor (read-only).
    case input
    /// The caller's output tensor `i`.
    case output(Int)
    /// The arena, at this byte offset (a multiple of `Plan.alignment`).
    case arena(offset: Int)
}

/// A dense row-major float32 tensor at a location.
public struct TensorRef: Codable, Hashable, Sendable {
    public var location: Location
    public var shape: [Int]
    public init(_ location: Location, shape: [Int]) { self.location = location; self.shape = shape }
    public var count: Int { shape.reduce(1, *) }
    public var bytes: Int { count * MemoryLayout<Float>.stride }
}

/// A slice of `Plan.weights`, in floats from its start (offsets are multiples
/// of 16 floats, so every slice is 64-byte aligned).
public struct WeightRange: Codable, Hashable, Sendable {
    public var offset: Int
    public var count: Int
    public init(offset: Int, count: Int) { self.offset = offset; self.count = count }
}

/// An arena allocation: live from `firstStep` to `lastStep` inclusive.
public struct BufferInfo: Codable, Hashable, Sendable {
    public var id: Int
    public var offset: Int
    public var bytes: Int
    public var firstStep: Int
    public var lastStep: Int
    /// The values stored in it (several when computed in place), or a
    /// scratch buffer's `scratch:STEP` name.
    public var values: [String]

    public init(id: Int, offset: Int, bytes: Int, firstStep: Int, lastStep: Int, values: [String]) {
        self.id = id; self.offset = offset; self.bytes = bytes
        self.firstStep = firstStep; self.lastStep = lastStep; self.values = values
    }
}

/// One unit of the schedule: a kernel reading `inputs` and writing `output`.
public struct Step: Codable, Hashable, Sendable {
    /// The graph value this step computes (`layer1.0.conv1`).
    public var name: String
    /// The primary op's `.def` keyword (`conv`).
    public var op: String
    /// Ops folded or fused into it (`["bn", "add", "relu"]`).
    public var fused: [String]
    public var kernel: Kernel
    /// Operands in the kernel's order; a fused residual comes last.
    public var inputs: [TensorRef]
    public var output: TensorRef
    /// Scratch space for this step alone, in the arena.
    public var scratch: ArenaRange?
    /// Multiply-accumulates this step performs.
    public var macs: Int

    public init(name: String, op: String, fused: [String] = [], kernel: Kernel, inputs: [TensorRef],
                output: TensorRef, scratch: ArenaRange? = nil, macs: Int = 0) {
        self.name = name; self.op = op; self.fused = fused; self.kernel = kernel
        self.inputs = inputs; self.output = output; self.scratch = scratch; self.macs = macs
    }
}

/// A byte range of the arena.
public struct ArenaRange: Codable, Hashable, Sendable {
    public var offset: Int
    public var bytes: Int
    public init(offset: Int, bytes: Int) { self.offset = offset; self.bytes = bytes }
}

/// What a step computes. Every kernel writes its whole output before reading
/// anything it wrote, and never reads the output before writing it: arena
/// memory holds garbage (even NaN) from earlier steps.
public enum Kernel: Codable, Hashable, Sendable {
    /// 2-D convolution with a fused epilogue (bias, residual add, ReLU).
    case conv(ConvKernel)
    /// Max pooling; padding never wins the max.
    case maxPool(PoolGeometry)
    /// Average pooling without padding.
    case avgPool(PoolGeometry)
    /// [N, C, H, W] → [N, C] mean over H·W.
    case globalAvgPool
    /// Fully connected: `weight` [K, Cin] row-major, optional `bias` [K].
    case fc(weight: WeightRange, bias: WeightRange?, relu: Bool)
    /// Softmax over the last dimension of [N, K].
    case softmax
    /// Elementwise sum of `inputs[0]` and `inputs[1]`, then optional ReLU.
    case add(relu: Bool)
    /// max(x, 0).
    case relu
    /// Per-channel `x · scale + shift` on NCHW or [N, C], then optional
    /// residual add (`inputs[1]`) and ReLU.
    case affine(scale: WeightRange, shift: WeightRange, residual: Bool, relu: Bool)
    /// A plain copy (flatten is a reshape of contiguous data).
    case copy
}

/// The geometry of a convolution, everything a kernel needs to index.
public struct ConvGeometry: Codable, Hashable, Sendable {
    public var batch: Int
    public var inChannels: Int, inH: Int, inW: Int
    public var outChannels: Int, outH: Int, outW: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padTop: Int, padLeft: Int
    public var dilationH: Int, dilationW: Int
    public var groups: Int

    public init(batch: Int, inChannels: Int, inH: Int, inW: Int, outChannels: Int, outH: Int, outW: Int,
                kernelH: Int, kernelW: Int, strideH: Int, strideW: Int, padTop: Int, padLeft: Int,
                dilationH: Int, dilationW: Int, groups: Int) {
        self.batch = batch; self.inChannels = inChannels; self.inH = inH; self.inW = inW
        self.outChannels = outChannels; self.outH = outH; self.outW = outW
        self.kernelH = kernelH; self.kernelW = kernelW; self.strideH = strideH; self.strideW = strideW
        self.padTop = padTop; self.padLeft = padLeft; self.dilationH = dilationH; self.dilationW = dilationW
        self.groups = groups
    }

    /// Multiply-accumulates of the whole convolution.
    public var macs: Int { batch * outChannels * outH * outW * (inChannels / groups) * kernelH * kernelW }
}

/// How a convolution's weights are laid out, and so which kernel runs it.
public enum ConvAlgorithm: String, Codable, Hashable, Sendable {
    /// Plain OIHW weights, a direct loop: the `-O0` kernel.
    case direct
    /// Weights packed in 6-row panels for `PackedConvolution`'s register-blocked GEMM.
    case packedGEMM = "packed-gemm"
    /// Winograd-transformed weights for `WinogradConvolution` (3x3, stride 1), F(2×2, 3×3).
    case winograd2x2 = "winograd-2x2"
    /// The same with F(4×4, 3×3).
    case winograd4x4 = "winograd-4x4"
    /// Weights in 16-column panels for `PixelPanelConvolution` (1x1 convolutions on small maps).
    case pixelPanels = "pixel-panels"

    /// The Winograd tile of a Winograd algorithm, else nil.
    public var winogradTile: WinogradTile? {
        switch self {
        case .direct, .packedGEMM, .pixelPanels: nil
        case .winograd2x2: .f2x2
        case .winograd4x4: .f4x4
        }
    }
}

/// A convolution step's parameters.
public struct ConvKernel: Codable, Hashable, Sendable {
    public var geometry: ConvGeometry
    public var algorithm: ConvAlgorithm
    /// Weights in the algorithm's layout.
    public var weights: WeightRange
    /// Per-output-channel bias, if any.
    public var bias: WeightRange?
    /// Adds the step's last input after the bias.
    public var residual: Bool
    /// Then `x · postScale[c] + postShift[c]` per output channel, if set (both or neither).
    public var postScale: WeightRange?
    public var postShift: WeightRange?
    /// Applies ReLU last.
    public var relu: Bool

    public init(geometry: ConvGeometry, algorithm: ConvAlgorithm, weights: WeightRange, bias: WeightRange?,
                residual: Bool, postScale: WeightRange? = nil, postShift: WeightRange? = nil, relu: Bool) {
        self.geometry = geometry; self.algorithm = algorithm; self.weights = weights
        self.bias = bias; self.residual = residual; self.postScale = postScale; self.postShift = postShift
        self.relu = relu
    }
}

/// The geometry of a pooling window.
public struct PoolGeometry: Codable, Hashable, Sendable {
    public var batch: Int, channels: Int
    public var inH: Int, inW: Int, outH: Int, outW: Int
    public var kernelH: Int, kernelW: Int
    public var strideH: Int, strideW: Int
    public var padTop: Int, padLeft: Int

    public init(batch: Int, channels: Int, inH: Int, inW: Int, outH: Int, outW: Int, kernelH: Int, kernelW: Int,
                strideH: Int, strideW: Int, padTop: Int, padLeft: Int) {
        self.batch = batch; self.channels = channels; self.inH = inH; self.inW = inW
        self.outH = outH; self.outW = outW; self.kernelH = kernelH; self.kernelW = kernelW
        self.strideH = strideH; self.strideW = strideW; self.padTop = padTop; self.padLeft = padLeft
    }
}
