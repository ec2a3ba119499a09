/// One layer-level statement produced by expanding a block macro: the node
/// to create, with its inputs by name.
struct LayerStatement: Hashable, Sendable {
    var name: String
    var op: Op
    var inputs: [String]
}
