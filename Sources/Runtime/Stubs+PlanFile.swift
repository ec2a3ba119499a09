// TEMPORARY stubs so the package builds; replaced by the real PlanFile,
// PlanError, validator and dumps. Delete this file when implementing them.
public enum PlanError: Error { case notImplemented }
public enum PlanFile {
    public static func write(_ plan: Plan, to path: String) throws { throw PlanError.notImplemented }
    public static func read(contentsOf path: String) throws -> Plan { throw PlanError.notImplemented }
    public static func decode(_ bytes: [UInt8], source: String) throws -> Plan { throw PlanError.notImplemented }
}
extension Plan {
    public func jsonText() -> String { "{}" }
    public func textDump() -> String { "" }
    public func kernelName(_ step: Step) -> String { step.op }
}
