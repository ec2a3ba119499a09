/// What an attribute accepts, and how its text is read.
///
///     int     ::= DIGITS                       (positive)
///     pair    ::= int | int 'x' int            (kernel=3, kernel=1x7)
///     padding ::= DIGITS | DIGITS ',' DIGITS ',' DIGITS ',' DIGITS | 'same'
///     shape   ::= int 'x' int 'x' int 'x' int
enum AttributeKind: Hashable, Sendable {
    case positiveInt
    case pair
    case padding(allowsSame: Bool)
    case bool
    case positiveFloat
    case shape
    case choice([String])

    /// The largest integer accepted anywhere (a dimension, a channel count):
    /// larger values would overflow tensor sizes.
    static let maximumInteger = 1 << 20

    /// What the value must look like, for "expected …" messages.
    var expectation: String {
        switch self {
        case .positiveInt: "a positive integer"
        case .pair: "a positive integer or HxW pair"
        case .padding(let allowsSame):
            "a non-negative integer or top,left,bottom,right" + (allowsSame ? " or 'same'" : "")
        case .bool: "'true' or 'false'"
        case .positiveFloat: "a positive number"
        case .shape: "a shape NxCxHxW of positive integers"
        case .choice(let words): words.map { "'\($0)'" }.joined(separator: " or ")
        }
    }

    /// The value `text` denotes, or `nil` if it does not have this kind's form.
    func parse(_ text: String) -> AttributeValue? {
        switch self {
        case .positiveInt:
            return Self.integer(text, minimum: 1).map(AttributeValue.int)
        case .pair:
            let parts = text.split(separator: "x", omittingEmptySubsequences: false).map { Self.integer($0, minimum: 1) }
            switch parts.count {
            case 1: return parts[0].map { .pair(Pair($0)) }
            case 2: if let h = parts[0], let w = parts[1] { return .pair(Pair(h, w)) }
            default: break
            }
            return nil
        case .padding(let allowsSame):
            if text == "same" { return allowsSame ? .padding(.same) : nil }
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Self.integer($0, minimum: 0) }
            if parts.count == 1, let p = parts[0] { return .padding(.explicit(Insets(p))) }
            if parts.count == 4, let t = parts[0], let l = parts[1], let b = parts[2], let r = parts[3] {
                return .padding(.explicit(Insets(top: t, left: l, bottom: b, right: r)))
            }
            return nil
        case .bool:
            return text == "true" ? .bool(true) : text == "false" ? .bool(false) : nil
        case .positiveFloat:
            guard let value = Double(text), value.isFinite, value > 0 else { return nil }
            return .float(value)
        case .shape:
            let dims = text.split(separator: "x", omittingEmptySubsequences: false).map { Self.integer($0, minimum: 1) }
            guard dims.count == 4, dims.allSatisfy({ $0 != nil }) else { return nil }
            return .shape(dims.compactMap { $0 })
        case .choice(let words):
            return words.contains(text) ? .word(text) : nil
        }
    }

    /// A decimal integer in `minimum...maximumInteger`, digits only.
    private static func integer(_ text: Substring, minimum: Int) -> Int? {
        guard !text.isEmpty, text.count <= 8, text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let value = Int(text), value >= minimum, value <= maximumInteger else { return nil }
        return value
    }

    private static func integer(_ text: String, minimum: Int) -> Int? { integer(Substring(text), minimum: minimum) }
}
