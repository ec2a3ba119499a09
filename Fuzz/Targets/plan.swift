/// libFuzzer entry: the plan loader (decode + validate) must refuse any
/// inconsistent bytes with a `PlanError`, never crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlan(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? PlanFile.decode(Array(UnsafeBufferPointer(start: data, count: size)), source: "fuzz.plan")
    return 0
}
