/// libFuzzer entry: the safetensors reader must answer any bytes with tensors or a `WeightsError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? SafeTensors.decode(Array(UnsafeBufferPointer(start: data, count: size)), source: "fuzz.safetensors")
    return 0
}
