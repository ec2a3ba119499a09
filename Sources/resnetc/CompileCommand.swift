import Foundation
import GraphIR
import Passes
import Runtime

/// `resnetc compile`: `.def` + weights → `.plan`, with one summary line.
func compileCommand(_ arguments: ParsedArguments) throws {
    let path = try arguments.single("MODEL.def")
    let levels = OptimizationLevel.allCases.filter { arguments.has("-O\($0.rawValue)") }
    guard levels.count <= 1 else {
        throw UsageError(message: "give at most one of -O0, -O1, -O2", command: .compile)
    }
    let level = levels.first ?? .O2
    let disabled = arguments.value("--disable-pass")?.split(separator: ",").map(String.init) ?? []
    let printAfter = arguments.value("--print-after")
    if let printAfter, !Pipeline.allPasses.contains(where: { $0.name == printAfter }) {
        throw UsageError(message: Pipeline.UnknownPass(name: printAfter).description, command: .compile)
    }
    do { _ = try Pipeline(level: level, disabled: disabled) } catch let error as Pipeline.UnknownPass {
        throw UsageError(message: error.description, command: .compile)
    }
    let graph = try loadGraph(path, arguments, batch: try arguments.integer("--batch"))
    let result = try Compiler.compile(graph, modelName: modelName(path), level: level, disabledPasses: disabled) { pass, graph in
        guard arguments.has("--print-after-all") || printAfter == pass.name else { return }
        printError("# -----// IR Dump After \(pass.title) (\(pass.name)) //----- //\n" + graph.defText())
    }
    let output = arguments.value("-o") ?? (path.hasSuffix(".def") ? String(path.dropLast(4)) : path) + ".plan"
    try PlanFile.write(result.plan, to: output)
    print(compileSummary(path: path, output: output, result))
}

/// The one-line summary: ops before/after, folded BNs, fused ops, arena vs naive bytes, weight bytes.
func compileSummary(path: String, output: String, _ result: Compiler.Result) -> String {
    let plan = result.plan
    let percent = plan.naiveBytes > 0 ? 100 * Double(plan.arenaBytes) / Double(plan.naiveBytes) : 0
    return "\(path) -> \(output): \(result.opsBefore) ops -> \(plan.steps.count) steps; "
        + "\(result.count("folded-into-conv")) bn folded into convs, \(result.count("fused-affine")) into conv epilogues, "
        + "\(result.count("became-affine") - result.count("fused-affine")) standalone; "
        + "fused \(result.count("fused-add")) add, \(result.count("fused-relu")) relu; "
        + "arena \(grouped(plan.arenaBytes)) B vs \(grouped(plan.naiveBytes)) B naive (\(String(format: "%.1f", percent))%); "
        + "weights \(grouped(plan.weights.count * 4)) B"
}

/// `12345678` → `12,345,678`.
func grouped(_ n: Int) -> String {
    let digits = String(n.magnitude)
    var out = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out += "," }
        out.append(c)
    }
    return (n < 0 ? "-" : "") + out
}
