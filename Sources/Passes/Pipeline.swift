import GraphIR

/// How hard `compile` optimizes.
public enum OptimizationLevel: Int, Sendable, CaseIterable {
    /// No passes; a buffer per value; direct kernels.
    case O0 = 0
    /// Fold BatchNorm, fuse epilogues; shared arena, packed kernels.
    case O1 = 1
    /// Everything, including memory-aware scheduling (the default).
    case O2 = 2
}

/// The ordered passes of one optimization level, run with the verifier after each.
public struct Pipeline: Sendable {
    /// Every pass, in pipeline order.
    public static let allPasses: [any Pass] = [FoldBatchNorm(), FuseEpilogue(), ScheduleForMemory()]

    /// Thrown for a `--print-after` or `--disable-pass` name that is no pass.
    public struct UnknownPass: Error, CustomStringConvertible {
        public var name: String
        public init(name: String) { self.name = name }
        public var description: String {
            let names = Pipeline.allPasses.map(\.name)
            let hint = Spelling.suggestion(for: name, among: names)
            return "unknown pass '\(name)'\(hint); passes: \(names.joined(separator: ", "))"
        }
    }

    /// A pass the verifier rejected the output of: a compiler bug.
    public struct VerificationFailure: Error, CustomStringConvertible {
        public var pass: String
        public var diagnostics: [Diagnostic]
        public var description: String {
            "internal error: the graph after \(pass) does not verify:\n" + diagnostics.map(\.description).joined(separator: "\n")
        }
    }

    public let level: OptimizationLevel
    public let passes: [any Pass]

    /// The passes of `level` minus `disabled` (flag names).
    public init(level: OptimizationLevel, disabled: [String] = []) throws {
        for name in disabled where !Self.allPasses.contains(where: { $0.name == name }) {
            throw UnknownPass(name: name)
        }
        let enabled: [any Pass] = switch level {
        case .O0: []
        case .O1: Self.allPasses.filter { $0.name != "schedule-memory" }
        case .O2: Self.allPasses
        }
        self.level = level
        self.passes = enabled.filter { !disabled.contains($0.name) }
    }

    /// Runs the passes in order, verifying after each and calling
    /// `afterPass` with the pass and the graph it produced.
    public func run(_ graph: inout Graph,
                    afterPass: (any Pass, Graph) -> Void = { _, _ in }) throws -> [(pass: String, statistics: PassStatistics)] {
        var report: [(String, PassStatistics)] = []
        for pass in passes {
            var statistics = PassStatistics()
            try pass.run(&graph, &statistics)
            let problems = graph.verify()
            if !problems.isEmpty { throw VerificationFailure(pass: pass.name, diagnostics: problems) }
            report.append((pass.name, statistics))
            afterPass(pass, graph)
        }
        return report
    }
}
