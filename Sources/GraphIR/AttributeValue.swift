/// A parsed `key=value` attribute value.
enum AttributeValue: Hashable, Sendable {
    case int(Int)
    case pair(Pair)
    case padding(Padding)
    case bool(Bool)
    case float(Double)
    case shape([Int])
    case word(String)
}

extension AttributeValue {
    /// The payload, if the value has that form.
    var int: Int? { if case .int(let v) = self { v } else { nil } }
    var pair: Pair? { if case .pair(let v) = self { v } else { nil } }
    var padding: Padding? { if case .padding(let v) = self { v } else { nil } }
    var bool: Bool? { if case .bool(let v) = self { v } else { nil } }
    var float: Double? { if case .float(let v) = self { v } else { nil } }
    var shape: [Int]? { if case .shape(let v) = self { v } else { nil } }
}
