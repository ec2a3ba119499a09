/// Turns lexed `.def` statements into a graph, one statement at a time,
/// collecting every independent error.
///
/// A statement with an error is skipped, and its name is remembered as
/// *poisoned*: a later statement that reads it is skipped silently, so one
/// mistake is reported once rather than at every use.
struct GraphBuilder {
    private let file: String
    private var graph = Graph()
    /// Every name a statement may read: values, and stage names (aliases of
    /// their last block's output).
    private var scope: [String: ValueID] = [:]
    /// Where each name (including poisoned ones) was defined.
    private var definitions: [String: SourceLocation] = [:]
    private var poisoned: Set<String> = []
    private var diagnostics: [Diagnostic] = []
    private var inputStatement: (name: String, location: SourceLocation)?
    /// Whether any `input` / `output` statement was written, even a bad one
    /// (so that a bad one is not also reported as missing).
    private var sawInput = false, sawOutput = false
    private var outputLocations: [ValueID: SourceLocation] = [:]
    /// The line being parsed, for diagnostics' source text.
    private var line = Lexer.Line(number: 0, text: "", tokens: [])

    init(file: String) { self.file = file }

    /// The operands and attributes common to every statement after its keyword.
    private struct Header {
        var nameToken: Token
        var name: String
        var inputTokens: [Token]
        var attributes: [String: AttributeValue] = [:]
        var failed = false
    }

    // MARK: Statements

    /// stmt ::= OP NAME INPUT* key=value*
    ///        | 'block' KIND NAME INPUT key=value*
    ///        | 'stage' KIND NAME INPUT 'blocks='B key=value*
    ///        | 'output' NAME
    mutating func add(_ line: Lexer.Line) {
        self.line = line
        guard let first = line.tokens.first else { return }
        guard case .word(let keyword) = first.kind else {
            error(at: first.location, "expected an op, found '\(first.text)'")
            return
        }
        let rest = line.tokens.dropFirst()
        switch keyword {
        case "output":
            outputStatement(first, rest)
        case "block", "stage":
            macroStatement(first, keyword, rest)
        default:
            if let schema = OpSchema.layers[keyword] {
                layerStatement(first, keyword, schema, rest)
            } else {
                error(at: first.location, "unknown op '\(keyword)'" + Spelling.suggestion(for: keyword, among: OpSchema.keywords))
            }
        }
    }

    /// OP NAME INPUT* key=value*
    private mutating func layerStatement(_ opToken: Token, _ keyword: String, _ schema: OpSchema, _ rest: ArraySlice<Token>) {
        if keyword == "input" { sawInput = true }
        guard var header = parseHeader(after: opToken, rest, schema: schema, what: keyword) else { return }
        let inputs = resolveInputs(&header)
        guard !header.failed, let op = makeOp(keyword, header.attributes) else {
            poison(header)
            return
        }
        if case .input = op, let previous = inputStatement {
            error(at: opToken.location, "second 'input' statement: a model has exactly one input",
                  notes: ["the input '\(previous.name)' is defined at \(previous.location)"])
            poison(header)
            return
        }
        guard define(header.name, at: header.nameToken.location) else { return }
        if case .input = op { inputStatement = (header.name, opToken.location) }
        scope[header.name] = append(Node(name: header.name, op: op, inputs: inputs), at: opToken.location)
    }

    /// 'output' NAME
    private mutating func outputStatement(_ keyword: Token, _ rest: ArraySlice<Token>) {
        sawOutput = true
        guard let nameToken = rest.first else {
            error(at: keyword.location, "expected a value name after 'output'")
            return
        }
        for extra in rest.dropFirst() {
            if case .attribute(let key, _) = extra.kind {
                error(at: extra.location, "unknown attribute '\(key)' for output")
            } else {
                error(at: extra.location, "'output' takes one value, found an extra '\(extra.text)'")
            }
        }
        guard case .word(let name) = nameToken.kind else {
            error(at: nameToken.location, "expected a value name after 'output', found '\(nameToken.text)'")
            return
        }
        guard rest.count == 1, let id = resolve(name, at: nameToken.location) else { return }
        if let previous = outputLocations[id] {
            error(at: nameToken.location, "'\(graph[id].name)' is already an output",
                  notes: ["previous 'output' at \(previous)"])
            return
        }
        outputLocations[id] = nameToken.location
        graph.outputs.append(id)
    }

    /// ('block' | 'stage') KIND NAME INPUT key=value*
    private mutating func macroStatement(_ keywordToken: Token, _ keyword: String, _ rest: ArraySlice<Token>) {
        let kinds = BlockKind.allCases.map(\.rawValue)
        guard let kindToken = rest.first, case .word(let kindName) = kindToken.kind else {
            error(at: rest.first?.location ?? keywordToken.location,
                  "expected a block kind after '\(keyword)' (\(kinds.joined(separator: ", ")))")
            return
        }
        guard let kind = BlockKind(rawValue: kindName) else {
            error(at: kindToken.location, "unknown block kind '\(kindName)'"
                  + Spelling.suggestion(for: kindName, among: kinds))
            poisonName(after: rest.dropFirst())
            return
        }
        var schema = kind.schema
        if keyword == "stage" {
            schema.attributes["blocks"] = .positiveInt
            schema.required.append("blocks")
        }
        guard var header = parseHeader(after: kindToken, rest.dropFirst(), schema: schema, what: "\(keyword) \(kindName)")
        else { return }
        let inputs = resolveInputs(&header)
        guard !header.failed, let input = inputs.first else {
            poison(header)
            return
        }
        let inputShape = graph[input].shape
        guard inputShape.count == 4 else {
            if !inputShape.isEmpty {
                error(at: header.inputTokens[0].location,
                      "\(keyword) '\(header.name)' needs an NCHW input, '\(graph[input].name)' is \(inputShape.bracketed)")
            }
            poison(header)
            return
        }
        let a = header.attributes
        var settings = BlockKind.Settings(
            out: a["out"]?.int ?? 0, width: a["width"]?.int ?? 0, stride: a["stride"]?.pair ?? Pair(1),
            groups: a["groups"]?.int ?? 1, strideOn1x1: a["stride_on"] == .word("1x1"))
        var statements: [LayerStatement] = []
        var channels = inputShape[1]
        var blockInput = graph[input].name
        let blocks = keyword == "stage" ? a["blocks"]?.int ?? 1 : 1
        for index in 0..<blocks {
            let blockName = keyword == "stage" ? "\(header.name).\(index)" : header.name
            statements += kind.expand(name: blockName, input: blockInput, inChannels: channels, settings: settings)
            settings.stride = Pair(1)
            channels = settings.out
            blockInput = blockName
        }
        var names = statements.map(\.name)
        if keyword == "stage" { names.append(header.name) }
        if let clash = names.first(where: { definitions[$0] != nil }), let previous = definitions[clash] {
            error(at: header.nameToken.location, "redefinition of '\(clash)'", notes: ["previous definition is at \(previous)"])
            poison(header)
            return
        }
        for statement in statements {
            definitions[statement.name] = keywordToken.location
            let node = Node(name: statement.name, op: statement.op, inputs: statement.inputs.compactMap { scope[$0] })
            scope[statement.name] = append(node, at: keywordToken.location)
        }
        definitions[header.name] = header.nameToken.location
        scope[header.name] = scope[blockInput]
    }

    // MARK: Pieces of a statement

    /// NAME INPUT* key=value*, checked against `schema`. Returns `nil` when
    /// there is no name at all.
    private mutating func parseHeader(after previous: Token, _ tokens: ArraySlice<Token>, schema: OpSchema,
                                      what: String) -> Header? {
        guard let nameToken = tokens.first, case .word(let name) = nameToken.kind else {
            error(at: tokens.first?.location ?? previous.location, "expected a name after '\(previous.text)'")
            return nil
        }
        var header = Header(nameToken: nameToken, name: name, inputTokens: [])
        if !Self.isValidName(name) {
            error(at: nameToken.location, "invalid name '\(name)': names are [A-Za-z0-9_][A-Za-z0-9_.]*")
            header.failed = true
        }
        var unknownAttribute = false
        var seenAttribute = false
        var written: Set<String> = []
        for token in tokens.dropFirst() {
            switch token.kind {
            case .word(let word):
                if seenAttribute {
                    error(at: token.location, "expected key=value, found '\(word)' (inputs come before attributes)")
                    header.failed = true
                } else {
                    header.inputTokens.append(token)
                }
            case .attribute(let key, let value):
                seenAttribute = true
                guard let kind = schema.attributes[key] else {
                    let hint = Spelling.suggestion(for: key, among: schema.attributes.keys)
                    error(at: token.location, key.isEmpty
                          ? "expected an attribute name before '='"
                          : "unknown attribute '\(key)' for \(what)\(hint)")
                    header.failed = true
                    unknownAttribute = true
                    continue
                }
                if !written.insert(key).inserted {
                    error(at: token.location, "duplicate attribute '\(key)'")
                    header.failed = true
                } else if let parsed = kind.parse(value) {
                    header.attributes[key] = parsed
                } else {
                    error(at: token.valueLocation, "bad value for '\(key)': expected \(kind.expectation), found '\(value)'")
                    header.failed = true
                }
            }
        }
        if header.inputTokens.count != schema.arity {
            let expected = schema.arity == 1 ? "1 input" : "\(schema.arity) inputs"
            let at = header.inputTokens.count > schema.arity ? header.inputTokens[schema.arity].location : nameToken.location
            error(at: at, "\(what) '\(name)' takes \(expected), found \(header.inputTokens.count)")
            header.failed = true
        }
        if !unknownAttribute {
            for key in schema.required where !written.contains(key) {
                error(at: line.tokens[0].location, "\(what) '\(name)': missing required attribute '\(key)'")
                header.failed = true
            }
        }
        return header
    }

    /// The values the header's inputs name; marks the header failed if any is
    /// undefined (reported) or poisoned (already reported).
    private mutating func resolveInputs(_ header: inout Header) -> [ValueID] {
        var ids: [ValueID] = []
        for token in header.inputTokens {
            guard case .word(let name) = token.kind else { continue }
            if let id = resolve(name, at: token.location) { ids.append(id) } else { header.failed = true }
        }
        return ids
    }

    /// The value `name` refers to; reports it if undefined (not if poisoned).
    private mutating func resolve(_ name: String, at location: SourceLocation) -> ValueID? {
        if let id = scope[name] { return id }
        if !poisoned.contains(name) {
            error(at: location, "undefined value '\(name)'" + Spelling.suggestion(for: name, among: scope.keys))
        }
        return nil
    }

    /// The op a layer statement denotes, with SPEC's defaults filled in.
    private func makeOp(_ keyword: String, _ a: [String: AttributeValue]) -> Op? {
        switch keyword {
        case "input":
            return a["shape"]?.shape.map { .input(shape: $0) }
        case "conv":
            guard let out = a["out"]?.int, let kernel = a["kernel"]?.pair else { return nil }
            return .conv(ConvAttributes(
                outChannels: out, kernel: kernel, stride: a["stride"]?.pair ?? Pair(1),
                padding: a["pad"]?.padding ?? .zero, dilation: a["dilation"]?.pair ?? Pair(1),
                groups: a["groups"]?.int ?? 1, bias: a["bias"]?.bool ?? false))
        case "bn":
            return .batchNorm(epsilon: a["eps"]?.float ?? 1e-5)
        case "relu": return .relu
        case "add": return .add
        case "maxpool", "avgpool":
            guard let kernel = a["kernel"]?.pair else { return nil }
            let pool = PoolAttributes(kernel: kernel, stride: a["stride"]?.pair ?? kernel, padding: a["pad"]?.padding ?? .zero)
            return keyword == "maxpool" ? .maxPool(pool) : .avgPool(pool)
        case "globalavgpool": return .globalAvgPool
        case "flatten": return .flatten
        case "fc":
            guard let out = a["out"]?.int else { return nil }
            return .fc(outFeatures: out, bias: a["bias"]?.bool ?? true)
        case "softmax": return .softmax
        default: return nil
        }
    }

    // MARK: Names and nodes

    /// `[A-Za-z0-9_][A-Za-z0-9_.]*`
    static func isValidName(_ name: String) -> Bool {
        func ok(_ c: Unicode.Scalar) -> Bool {
            c.isASCII && (("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) || c == "_")
        }
        guard let first = name.unicodeScalars.first, ok(first) else { return false }
        return name.unicodeScalars.dropFirst().allSatisfy { ok($0) || $0 == "." }
    }

    /// Records a new name; reports a redefinition and returns false if taken.
    private mutating func define(_ name: String, at location: SourceLocation) -> Bool {
        if let previous = definitions[name] {
            error(at: location, "redefinition of '\(name)'", notes: ["previous definition is at \(previous)"])
            return false
        }
        definitions[name] = location
        return true
    }

    /// Remembers a failed statement's name so later uses stay quiet.
    private mutating func poison(_ header: Header) {
        guard definitions[header.name] == nil else { return }
        definitions[header.name] = header.nameToken.location
        poisoned.insert(header.name)
    }

    /// Poisons the name of a statement whose header could not be parsed.
    private mutating func poisonName(after tokens: ArraySlice<Token>) {
        if let token = tokens.first, case .word(let name) = token.kind, definitions[name] == nil {
            definitions[name] = token.location
            poisoned.insert(name)
        }
    }

    /// Appends a node written at `location`, inferring its shape now so that
    /// later macros know their input's channel count.
    private mutating func append(_ node: Node, at location: SourceLocation) -> ValueID {
        var node = node
        node.location = location
        node.sourceLine = line.text
        let operands = node.inputs.map { graph[$0].shape }
        if !operands.contains(where: \.isEmpty),
           case .success(let shape) = Graph.outputShape(of: node, operands: operands, names: node.inputs.map { graph[$0].name }) {
            node.shape = shape
        }
        return graph.append(node)
    }

    private mutating func error(at location: SourceLocation, _ message: String, notes: [String] = []) {
        diagnostics.append(Diagnostic(.error, at: location, sourceLine: line.text, message, notes: notes))
    }

    // MARK: Result

    /// The finished graph with shapes inferred and verified, or every error:
    /// statement errors and shape errors in source order, then missing
    /// `input`/`output`.
    func finish() throws(DiagnosticError) -> Graph {
        var graph = graph
        var all = diagnostics + graph.inferShapes()
        all = all.enumerated().sorted { a, b in
            let la = a.element.location?.line ?? 0, lb = b.element.location?.line ?? 0
            return la != lb ? la < lb : a.offset < b.offset
        }.map(\.element)
        let start = SourceLocation(file: file, line: 1, column: 1)
        if !sawInput { all.append(Diagnostic(.error, at: start, "model has no 'input' statement")) }
        if !sawOutput { all.append(Diagnostic(.error, at: start, "model has no 'output' statement")) }
        if all.isEmpty { all = graph.verify() }
        guard all.isEmpty else { throw DiagnosticError(all) }
        return graph
    }
}
