/// One message about the user's input: an error, a warning or a note, with the
/// place in the source it refers to when there is one.
///
/// Rendered as an LLVM-style diagnostic:
///
///     model.def:3:1: error: unknown op 'cnv' (did you mean 'conv'?)
///     cnv conv1 x out=64 kernel=7
///     ^
///     note: ...
public struct Diagnostic: Error, Hashable, Sendable, CustomStringConvertible {
    /// How serious a diagnostic is.
    public enum Severity: String, Sendable, Hashable {
        case error, warning, note
    }

    public var severity: Severity
    /// Where the problem is; `nil` for problems not tied to a source line
    /// (a weights file, a tensor file).
    public var location: SourceLocation?
    /// The text of the offending source line, shown under the message with a caret.
    public var sourceLine: String?
    /// One sentence: what was expected and what was found.
    public var message: String
    /// Extra lines printed as `note: ...` after the caret.
    public var notes: [String]

    public init(_ severity: Severity = .error, at location: SourceLocation? = nil, sourceLine: String? = nil,
                _ message: String, notes: [String] = []) {
        self.severity = severity
        self.location = location
        self.sourceLine = sourceLine
        self.message = message
        self.notes = notes
    }

    /// The full rendering: header, source line and caret, notes.
    public var description: String {
        var out = ""
        if let location { out += "\(location): " }
        out += "\(severity.rawValue): \(message)"
        if let sourceLine, let location {
            out += "\n" + sourceLine + "\n"
            // Keep tabs so the caret lines up under the offending character.
            let prefix = sourceLine.unicodeScalars.prefix(max(location.column - 1, 0))
            out += String(String.UnicodeScalarView(prefix.map { $0 == "\t" ? "\t" : " " })) + "^"
        }
        for note in notes { out += "\nnote: " + note }
        return out
    }
}

/// A non-empty list of errors, thrown by a stage that collects every
/// independent problem in its input before giving up.
public struct DiagnosticError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]

    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}
