/// The `.def` front end: text in, a verified graph with shapes out.
public enum ModelParser {
    /// Parses a model, expanding `block` and `stage` macros into layer-level
    /// nodes named as torchvision's `state_dict` names them.
    ///
    ///     file ::= (stmt? comment? '\n')*
    ///
    /// - Parameters:
    ///   - source: the `.def` text.
    ///   - file: the path shown in diagnostics.
    /// - Returns: the graph, shapes inferred, `verify()` clean.
    /// - Throws: `DiagnosticError` with every independent error in the file.
    public static func parse(_ source: String, file: String) throws -> Graph {
        var builder = GraphBuilder(file: file)
        for line in Lexer.lines(of: source, file: file) { builder.add(line) }
        return try builder.finish()
    }
}
