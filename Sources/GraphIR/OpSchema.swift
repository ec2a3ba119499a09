/// What a statement accepts: how many inputs, which attributes, which of
/// them are required. One schema per layer op and per block kind.
struct OpSchema: Sendable {
    /// Number of input values after the name.
    var arity: Int
    /// Accepted attributes and their kinds.
    var attributes: [String: AttributeKind]
    /// Attributes without a default.
    var required: [String]

    /// The layer-level ops by `.def` keyword (`output`, `block` and `stage`
    /// have their own statements).
    static let layers: [String: OpSchema] = [
        "input": OpSchema(arity: 0, attributes: ["shape": .shape], required: ["shape"]),
        "conv": OpSchema(arity: 1, attributes: [
            "out": .positiveInt, "kernel": .pair, "stride": .pair, "pad": .padding(allowsSame: true),
            "dilation": .pair, "groups": .positiveInt, "bias": .bool,
        ], required: ["out", "kernel"]),
        "bn": OpSchema(arity: 1, attributes: ["eps": .positiveFloat], required: []),
        "relu": OpSchema(arity: 1, attributes: [:], required: []),
        "add": OpSchema(arity: 2, attributes: [:], required: []),
        "maxpool": OpSchema(arity: 1, attributes: [
            "kernel": .pair, "stride": .pair, "pad": .padding(allowsSame: true),
        ], required: ["kernel"]),
        "avgpool": OpSchema(arity: 1, attributes: ["kernel": .pair, "stride": .pair], required: ["kernel"]),
        "globalavgpool": OpSchema(arity: 1, attributes: [:], required: []),
        "flatten": OpSchema(arity: 1, attributes: [:], required: []),
        "fc": OpSchema(arity: 1, attributes: ["out": .positiveInt, "bias": .bool], required: ["out"]),
        "softmax": OpSchema(arity: 1, attributes: [:], required: []),
    ]

    /// Every statement keyword, for "did you mean" suggestions.
    static let keywords: [String] = Array(layers.keys) + ["output", "block", "stage"]
}
