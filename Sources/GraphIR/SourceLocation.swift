/// A position in a `.def` file: 1-based line and column.
public struct SourceLocation: Hashable, Sendable, CustomStringConvertible {
    /// The file's path as the user gave it.
    public var file: String
    /// 1-based line number.
    public var line: Int
    /// 1-based column (in Unicode scalars) of the first character.
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `FILE:LINE:COL`, the prefix every compiler diagnostic starts with.
    public var description: String { "\(file):\(line):\(column)" }
}
