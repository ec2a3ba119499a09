/// One whitespace-separated field of a `.def` statement: a bare word (an op,
/// a name, an input) or a `key=value` attribute.
struct Token: Hashable, Sendable {
    /// What the field is.
    enum Kind: Hashable, Sendable {
        /// `conv`, `layer1.0`, `x`.
        case word(String)
        /// `stride=2`: the text before and after the first `=`.
        case attribute(key: String, value: String)
    }

    var kind: Kind
    /// The field as written.
    var text: String
    /// Where the field starts.
    var location: SourceLocation
    /// Where an attribute's value starts (for a word, `location`).
    var valueLocation: SourceLocation
}
