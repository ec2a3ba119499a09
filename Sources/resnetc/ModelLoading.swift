import Foundation
import GraphIR
import Passes
import Runtime

/// A file the CLI could not read at all (before any format check).
struct FileError: Error, CustomStringConvertible {
    var path: String
    var reason: String
    var description: String { "\(path): \(reason)" }
}

/// Reads a text file, refusing what is not UTF-8 text.
func readText(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw FileError(path: path, reason: FileManager.default.fileExists(atPath: path) ? "cannot read file" : "no such file")
    }
    guard let text = String(data: data, encoding: .utf8) else { throw FileError(path: path, reason: "not a UTF-8 text file") }
    return text
}

/// The model's name: its file name without directory and extension.
func modelName(_ path: String) -> String {
    ((path as NSString).lastPathComponent as NSString).deletingPathExtension
}

func isPlanPath(_ path: String) -> Bool { path.hasSuffix(".plan") }

/// Parses a `.def`, applies a batch override, and binds weights: from
/// `--weights`, else deterministic random ones from `--seed` (with a notice).
func loadGraph(_ path: String, _ arguments: ParsedArguments, batch: Int? = nil) throws -> Graph {
    var graph = try ModelParser.parse(try readText(path), file: path)
    if let batch {
        let problems = graph.setBatch(batch)
        if !problems.isEmpty { throw DiagnosticError(problems) }
    }
    if let weightsPath = arguments.value("--weights") {
        let tensors = try SafeTensors.read(contentsOf: weightsPath)
        for warning in try graph.bindWeights(tensors, source: weightsPath) { printError(warning.description) }
    } else {
        let seed = try arguments.integer("--seed", minimum: 0) ?? 0
        graph.bindRandomWeights(seed: UInt64(seed))
        printError("note: no --weights given; using deterministic random weights (seed \(seed))")
    }
    return graph
}

/// A plan from a `.plan` file, or compiled at `-O2` from a `.def`.
func loadPlan(_ path: String, _ arguments: ParsedArguments, batch: Int? = nil) throws -> Plan {
    if isPlanPath(path) {
        if arguments.value("--weights") != nil {
            throw UsageError(message: "--weights applies to a .def; a plan carries its own weights", command: arguments.command)
        }
        return try PlanFile.read(contentsOf: path)
    }
    let graph = try loadGraph(path, arguments, batch: batch)
    return try Compiler.compile(graph, modelName: modelName(path)).plan
}

/// `--threads`, defaulting to every active processor.
func threadCount(_ arguments: ParsedArguments) throws -> Int {
    try arguments.integer("--threads") ?? ProcessInfo.processInfo.activeProcessorCount
}

/// A deterministic input in [-1, 1) for a shape: the same on every machine,
/// for `run` without `--input`, `check` and `bench`.
func syntheticInput(count: Int) -> [Float] {
    var generator = SplitMix64(seed: 0x5EED)
    return (0..<count).map { _ in generator.nextUniform(-1, 1) }
}
