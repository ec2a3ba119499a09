/// Identifies a value: the index of the node that defines it.
public struct ValueID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var index: Int
    public init(_ index: Int) { self.index = index }
    public static func < (a: ValueID, b: ValueID) -> Bool { a.index < b.index }
    public var description: String { "%\(index)" }
}

/// Work a node does after its op, in registers, before storing: used by
/// fusion. A parsed graph has none.
public struct Epilogue: Hashable, Sendable {
    /// Adds the node's last input (the residual) to the result.
    public var addsResidual: Bool
    /// Then computes `x · post_scale + post_shift` per channel (parameters
    /// `post_scale`, `post_shift` [C]): a BatchNorm after the residual add.
    public var scaleShift: Bool
    /// Applies max(·, 0) last.
    public var relu: Bool

    public init(addsResidual: Bool = false, scaleShift: Bool = false, relu: Bool = false) {
        self.addsResidual = addsResidual; self.scaleShift = scaleShift; self.relu = relu
    }
    public static let none = Epilogue()
    public var isNone: Bool { !addsResidual && !scaleShift && !relu }
}

/// One SSA statement: it defines the value named `name`.
public struct Node: Sendable {
    /// The value's name, unique in the graph (`layer1.0.conv1`).
    public var name: String
    public var op: Op
    /// Operands: `op.arity` values, then the residual if `epilogue.addsResidual`.
    public var inputs: [ValueID]
    /// Output shape; empty until shape inference has run.
    public var shape: [Int]
    /// Parameters by key suffix (`weight`, `bias`, `running_mean`, `running_var`,
    /// `scale`, `shift`); empty until weights are bound.
    public var parameters: [String: Tensor]
    /// Fused work after the op.
    public var epilogue: Epilogue
    /// Keywords of the ops passes folded or fused into this node, in order
    /// (`["bn", "add", "relu"]`), for dumps and the plan's `fused` lists.
    public var fused: [String] = []
    /// Where the statement was written (after macro expansion: the macro's line).
    public var location: SourceLocation?
    /// The text of that line, for diagnostics.
    public var sourceLine: String?

    public init(name: String, op: Op, inputs: [ValueID], shape: [Int] = [], parameters: [String: Tensor] = [:],
                epilogue: Epilogue = .none, location: SourceLocation? = nil, sourceLine: String? = nil) {
        self.name = name; self.op = op; self.inputs = inputs; self.shape = shape
        self.parameters = parameters; self.epilogue = epilogue
        self.location = location; self.sourceLine = sourceLine
    }
}

extension Node: Equatable {
    /// Nodes are equal when they compute the same thing; where they were written does not matter.
    public static func == (a: Node, b: Node) -> Bool {
        a.name == b.name && a.op == b.op && a.inputs == b.inputs && a.shape == b.shape
            && a.epilogue == b.epilogue && a.parameters == b.parameters
    }
}

/// A model: a typed SSA dataflow graph in which node `i` defines value `i`
/// and every operand is defined earlier (a topological order).
public struct Graph: Equatable, Sendable {
    public var nodes: [Node]
    /// The values marked with `output`, in the order written.
    public var outputs: [ValueID]

    public init(nodes: [Node] = [], outputs: [ValueID] = []) {
        self.nodes = nodes
        self.outputs = outputs
    }

    public subscript(id: ValueID) -> Node {
        get { nodes[id.index] }
        set { nodes[id.index] = newValue }
    }

    /// All value IDs in order.
    public var ids: [ValueID] { nodes.indices.map(ValueID.init) }

    /// The value with that name, if any.
    public func id(named name: String) -> ValueID? {
        nodes.firstIndex { $0.name == name }.map(ValueID.init)
    }

    /// The single `input` node.
    public var inputID: ValueID? {
        nodes.firstIndex { if case .input = $0.op { true } else { false } }.map(ValueID.init)
    }

    /// Appends a node and returns its value.
    @discardableResult
    public mutating func append(_ node: Node) -> ValueID {
        nodes.append(node)
        return ValueID(nodes.count - 1)
    }

    /// For each value, the nodes that read it (in order).
    public func users() -> [[ValueID]] {
        var users = [[ValueID]](repeating: [], count: nodes.count)
        for (i, node) in nodes.enumerated() {
            for input in node.inputs { users[input.index].append(ValueID(i)) }
        }
        return users
    }

    /// Keeps only the nodes an output depends on, renumbering values densely.
    public func removingDeadNodes() -> Graph {
        var live = [Bool](repeating: false, count: nodes.count)
        for output in outputs { live[output.index] = true }
        for i in nodes.indices.reversed() where live[i] {
            for input in nodes[i].inputs { live[input.index] = true }
        }
        if let input = inputID { live[input.index] = true }
        var newID = [Int](repeating: -1, count: nodes.count)
        var result = Graph()
        for (i, node) in nodes.enumerated() where live[i] {
            var copy = node
            copy.inputs = node.inputs.map { ValueID(newID[$0.index]) }
            newID[i] = result.append(copy).index
        }
        result.outputs = outputs.map { ValueID(newID[$0.index]) }
        return result
    }
}
