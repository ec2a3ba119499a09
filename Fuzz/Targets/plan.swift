/// libFuzzer entry: the plan loader (decode + validate) must refuse any
/// inconsistent bytes with a `PlanError`, never crash. The checksum is
/// re-sealed over the mutated bytes first, so mutations reach the metadata
/// decoder and the validator instead of stopping at the checksum.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPlan(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = PlanFile.resealed(Array(UnsafeBufferPointer(start: data, count: size)))
    if let plan = try? PlanFile.decode(bytes, source: "fuzz.plan") {
        _ = plan.jsonText()
        _ = plan.textDump()
    }
    return 0
}
