import GraphIR
import Runtime

/// The whole compiler: runs a level's pipeline on a verified, weight-bound
/// graph and lowers the result to a plan.
public enum Compiler {
    /// What one compilation produced, for the CLI's summary line and dumps.
    public struct Result: Sendable {
        public var plan: Plan
        /// The graph after all passes (what `dump --stage optimized` prints).
        public var optimized: Graph
        /// Node count (ops, input excluded) before and after the passes.
        public var opsBefore: Int
        public var opsAfter: Int
        /// Each pass's statistics, in pipeline order.
        public var statistics: [(pass: String, statistics: PassStatistics)]

        /// A counter summed over all passes.
        public func count(_ key: String) -> Int { statistics.reduce(0) { $0 + $1.statistics[key] } }
    }

    /// Optimizes `graph` at `level` (minus `disabledPasses`) and lowers it.
    /// `afterPass` sees the graph after each pass (for `--print-after`).
    public static func compile(_ graph: Graph, modelName: String, level: OptimizationLevel = .O2,
                               disabledPasses: [String] = [],
                               afterPass: (any Pass, Graph) -> Void = { _, _ in }) throws -> Result {
        let pipeline = try Pipeline(level: level, disabled: disabledPasses)
        var optimized = graph
        let statistics = try pipeline.run(&optimized, afterPass: afterPass)
        let plan = try Lowering.lower(optimized, modelName: modelName,
                                      options: level == .O0 ? .naive : .optimized, naiveBytes: graph.intermediateBytes)
        return Result(plan: plan, optimized: optimized, opsBefore: graph.nodes.count - 1,
                      opsAfter: optimized.nodes.count - 1, statistics: statistics)
    }
}
