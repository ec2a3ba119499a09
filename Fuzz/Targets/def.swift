/// libFuzzer entry: the `.def` parser must answer any bytes with a graph or
/// diagnostics, never a crash or a hang.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDef(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    if let graph = try? ModelParser.parse(text, file: "fuzz.def") {
        _ = graph.defText()
        _ = graph.summaryText()
    }
    return 0
}
