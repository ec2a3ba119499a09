/// A dense float32 tensor in row-major (C) order: weights, inputs and outputs.
public struct Tensor: Equatable, Sendable {
    /// Dimensions, outermost first (NCHW for activations, OIHW for conv weights).
    public var shape: [Int]
    /// `shape.reduce(1, *)` elements in row-major order.
    public var data: [Float]

    /// Creates a tensor; `data.count` must equal the product of `shape`.
    public init(shape: [Int], data: [Float]) {
        precondition(data.count == shape.reduce(1, *), "tensor data does not match its shape")
        self.shape = shape
        self.data = data
    }

    /// A tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(shape: shape, data: [Float](repeating: 0, count: shape.reduce(1, *)))
    }

    /// Number of elements.
    public var count: Int { data.count }
}

extension Array where Element == Int {
    /// `[1,3,224,224]` → `1x3x224x224`, the `.def` spelling of a shape.
    public var shapeString: String { map(String.init).joined(separator: "x") }
    /// `[1,3,224,224]` → `[1,3,224,224]`, the spelling used in messages.
    public var bracketed: String { "[" + map(String.init).joined(separator: ",") + "]" }
}
