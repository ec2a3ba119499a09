import GraphIR
import Passes
import Runtime

/// `resnetc dump`: the IR at a stage, or the plan's schedule, in a format.
func dumpCommand(_ arguments: ParsedArguments) throws {
    let path = try arguments.single("MODEL.def or MODEL.plan")
    let stage = arguments.value("--stage") ?? (isPlanPath(path) ? "plan" : "parsed")
    let format = arguments.value("--format") ?? "text"
    let graphFormats = ["text", "dot", "summary"], planFormats = ["text", "json", "svg"]
    switch stage {
    case "parsed", "optimized":
        guard graphFormats.contains(format) else {
            throw UsageError(message: "--stage \(stage) prints \(graphFormats.joined(separator: ", ")), not '\(format)'", command: .dump)
        }
        guard !isPlanPath(path) else {
            throw UsageError(message: "a plan keeps no graph; --stage \(stage) needs the .def", command: .dump)
        }
        let graph: Graph
        if stage == "parsed" {
            graph = try ModelParser.parse(try readText(path), file: path)
        } else {
            let bound = try loadGraph(path, arguments, batch: try arguments.integer("--batch"))
            graph = try Compiler.compile(bound, modelName: modelName(path)).optimized
        }
        switch format {
        case "dot": print(graph.dotText(), terminator: "")
        case "summary": print(graph.summaryText(), terminator: "")
        default: print(graph.defText(), terminator: "")
        }
    case "plan":
        guard planFormats.contains(format) else {
            throw UsageError(message: "--stage plan prints \(planFormats.joined(separator: ", ")), not '\(format)'", command: .dump)
        }
        let plan = try loadPlan(path, arguments, batch: try arguments.integer("--batch"))
        switch format {
        case "json": print(plan.jsonText())
        case "svg":
            print(MemoryTimelineSVG.render(buffers: plan.buffers, stepCount: plan.steps.count, arenaBytes: plan.arenaBytes,
                                           lowerBoundBytes: plan.lowerBoundBytes, stepNames: plan.steps.map(\.name)))
        default: print(plan.textDump(), terminator: "")
        }
    default:
        let hint = Spelling.suggestion(for: stage, among: ["parsed", "optimized", "plan"])
        throw UsageError(message: "unknown stage '\(stage)'\(hint); stages: parsed, optimized, plan", command: .dump)
    }
}
