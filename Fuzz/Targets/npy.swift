/// libFuzzer entry: the `.npy` reader must answer any bytes with a tensor or a `TensorFileError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? NPY.decode(Array(UnsafeBufferPointer(start: data, count: size)), source: "fuzz.npy")
    return 0
}
