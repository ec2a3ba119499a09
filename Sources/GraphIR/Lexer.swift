/// Splits `.def` source into lines of tokens.
///
///     line  ::= field* comment?
///     field ::= WORD | KEY '=' VALUE        (no spaces inside a field)
///     comment ::= '#' anything
enum Lexer {
    /// One source line that holds at least one token.
    struct Line: Sendable {
        /// 1-based line number.
        var number: Int
        /// The line as written, without its line break.
        var text: String
        var tokens: [Token]
    }

    /// The lines of `source` that hold a statement, in order. Blank and
    /// comment-only lines are dropped.
    static func lines(of source: String, file: String) -> [Line] {
        var result: [Line] = []
        var number = 0
        for rawLine in source.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            let text = rawLine.hasSuffix("\r") ? String(rawLine.dropLast()) : String(rawLine)
            let tokens = tokens(in: text, line: number, file: file)
            if !tokens.isEmpty { result.append(Line(number: number, text: text, tokens: tokens)) }
        }
        return result
    }

    /// The fields of one line, up to a `#` comment.
    static func tokens(in text: String, line: Int, file: String) -> [Token] {
        var tokens: [Token] = []
        var field = ""
        var start = 0
        func flush() {
            guard !field.isEmpty else { return }
            let location = SourceLocation(file: file, line: line, column: start)
            if let equals = field.firstIndex(of: "=") {
                let key = String(field[..<equals])
                let value = String(field[field.index(after: equals)...])
                let valueColumn = start + key.unicodeScalars.count + 1
                tokens.append(Token(kind: .attribute(key: key, value: value), text: field, location: location,
                                    valueLocation: SourceLocation(file: file, line: line, column: valueColumn)))
            } else {
                tokens.append(Token(kind: .word(field), text: field, location: location, valueLocation: location))
            }
            field = ""
        }
        for (offset, scalar) in text.unicodeScalars.enumerated() {
            if scalar == "#" { break }
            if scalar == " " || scalar == "\t" || scalar == "\u{0B}" || scalar == "\u{0C}" {
                flush()
            } else {
                if field.isEmpty { start = offset + 1 }
                field.unicodeScalars.append(scalar)
            }
        }
        flush()
        return tokens
    }
}
