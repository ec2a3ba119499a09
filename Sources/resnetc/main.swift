import Foundation
import GraphIR

/// The one exit point: results on stdout, diagnostics on stderr; exit 0 on
/// success, 1 on invalid input or a failed check, 2 on a usage error.
let overallHelp = """
    OVERVIEW: resnetc — an ahead-of-time compiler and CPU runtime for ResNet-family networks.

    USAGE: resnetc <command> [options]

    COMMANDS:
    \(Command.allCases.map { "  " + $0.rawValue.padding(toLength: 10, withPad: " ", startingAt: 0) + $0.overview }.joined(separator: "\n"))

    See 'resnetc help <command>' or 'resnetc <command> --help' for a command's options.
    """

func main(_ arguments: [String]) -> Int32 {
    guard let first = arguments.first else {
        printError(overallHelp)
        return 2
    }
    if first == "--help" || first == "-h" {
        print(overallHelp)
        return 0
    }
    if first == "help" {
        guard let name = arguments.dropFirst().first else { print(overallHelp); return 0 }
        guard let command = Command(rawValue: name) else {
            printError("error: unknown command '\(name)'\(didYouMean(name))\n\n" + overallHelp)
            return 2
        }
        print(command.helpText, terminator: "")
        return 0
    }
    guard let command = Command(rawValue: first) else {
        printError("error: unknown command '\(first)'\(didYouMean(first))\nSee 'resnetc --help'.")
        return 2
    }
    let rest = Array(arguments.dropFirst())
    if rest.contains("--help") || rest.contains("-h") {
        print(command.helpText, terminator: "")
        return 0
    }
    do {
        let parsed = try command.parse(rest)
        switch command {
        case .compile: try compileCommand(parsed)
        case .dump: try dumpCommand(parsed)
        case .run: try runCommand(parsed)
        case .bench: try benchCommand(parsed)
        case .check: return try checkCommand(parsed) ? 0 : 1
        }
        return 0
    } catch let error as UsageError {
        printError("error: \(error.message)\nUSAGE: \(command.usage)\nSee 'resnetc \(command.rawValue) --help'.")
        return 2
    } catch let error as DiagnosticError {
        printError(error.description)
        let count = error.diagnostics.filter { $0.severity == .error }.count
        if count > 1 { printError("\(count) errors generated.") }
        return 1
    } catch {
        printError("error: \(error)")
        return 1
    }
}

func didYouMean(_ word: String) -> String {
    Spelling.suggestion(for: word, among: Command.allCases.map(\.rawValue) + ["help"])
}

/// Writes a line to stderr.
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}

exit(main(Array(CommandLine.arguments.dropFirst())))
