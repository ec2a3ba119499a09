import GraphIR

/// A command-line mistake: exit code 2, with the command's usage line.
struct UsageError: Error, CustomStringConvertible {
    var message: String
    var command: Command?
    var description: String { message }
}

/// One option a command accepts.
struct OptionSpec {
    /// Spellings, long first (`--output`, `-o`).
    var names: [String]
    /// The value's placeholder (`N`, `FILE`); nil for a flag.
    var value: String?
    var help: String

    static func flag(_ names: String..., help: String) -> OptionSpec { OptionSpec(names: names, value: nil, help: help) }
    static func value(_ names: String..., value: String, help: String) -> OptionSpec { OptionSpec(names: names, value: value, help: help) }
}

/// What a command line parsed into: positional arguments, option values by
/// their first spelling, flags that were given.
struct ParsedArguments {
    var positionals: [String] = []
    var values: [String: String] = [:]
    var flags: Set<String> = []
    var command: Command

    func value(_ name: String) -> String? { values[name] }
    func has(_ flag: String) -> Bool { flags.contains(flag) }

    /// An integer option ≥ `minimum`, or nil when absent.
    func integer(_ name: String, minimum: Int = 1) throws -> Int? {
        guard let text = values[name] else { return nil }
        guard let n = Int(text), n >= minimum else {
            throw UsageError(message: "option '\(name)' expects an integer ≥ \(minimum), found '\(text)'", command: command)
        }
        return n
    }

    /// Exactly one positional argument, named `what` in the error.
    func single(_ what: String) throws -> String {
        guard positionals.count == 1 else {
            throw UsageError(message: positionals.isEmpty ? "missing \(what)"
                             : "unexpected argument '\(positionals[1])'", command: command)
        }
        return positionals[0]
    }
}

extension Command {
    /// Parses `arguments` (after the command name): `--opt value`, `--opt=value`, flags, positionals.
    func parse(_ arguments: [String]) throws -> ParsedArguments {
        var parsed = ParsedArguments(command: self)
        var i = 0
        while i < arguments.count {
            let argument = arguments[i]
            i += 1
            guard argument.hasPrefix("-"), argument != "-" else {
                parsed.positionals.append(argument)
                continue
            }
            let (name, inlineValue) = argument.split(separator: "=", maxSplits: 1).map(String.init).splitPair
            guard let spec = options.first(where: { $0.names.contains(name) }) else {
                let all = options.flatMap(\.names)
                let hint = Spelling.suggestion(for: name, among: all)
                throw UsageError(message: "unknown option '\(name)'\(hint)", command: self)
            }
            let key = spec.names[0]
            if spec.value == nil {
                if inlineValue != nil { throw UsageError(message: "option '\(name)' takes no value", command: self) }
                parsed.flags.insert(key)
            } else if let inlineValue {
                parsed.values[key] = inlineValue
            } else if i < arguments.count {
                parsed.values[key] = arguments[i]
                i += 1
            } else {
                throw UsageError(message: "option '\(name)' needs a value", command: self)
            }
        }
        return parsed
    }

    /// `OVERVIEW:`, `USAGE:`, `ARGUMENTS:`, `OPTIONS:` — the text of `--help`.
    var helpText: String {
        var text = "OVERVIEW: \(overview)\n\nUSAGE: \(usage)\n"
        if !arguments.isEmpty {
            text += "\nARGUMENTS:\n"
            for (name, help) in arguments { text += "  " + name.padding(toLength: 26, withPad: " ", startingAt: 0) + help + "\n" }
        }
        text += "\nOPTIONS:\n"
        for option in options + [.flag("--help", "-h", help: "Show help information.")] {
            let spelled = option.names.joined(separator: ", ") + (option.value.map { " <\($0)>" } ?? "")
            text += "  " + spelled.padding(toLength: max(26, spelled.count + 2), withPad: " ", startingAt: 0) + option.help + "\n"
        }
        if !epilogue.isEmpty { text += "\n" + epilogue + "\n" }
        return text
    }
}

extension Array where Element == String {
    fileprivate var splitPair: (String, String?) { (self[0], count > 1 ? self[1] : nil) }
}
