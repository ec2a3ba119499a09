// TEMPORARY stub so the package builds; replaced by the real Executor.
// Delete this file when implementing it.
public final class Executor: Sendable {
    public init(plan: Plan, threads: Int) {}
    public func run(_ input: [Float]) throws -> [[Float]] { [] }
    public func run(_ input: [Float], profile: Bool) throws -> (outputs: [[Float]], stepSeconds: [Double]) { ([], []) }
}
