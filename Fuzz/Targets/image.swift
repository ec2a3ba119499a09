/// libFuzzer entry: the PPM/PGM reader and preprocessing must answer any
/// bytes with a tensor or an `ImageError`.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    if let image = try? PNMImage.decode(Array(UnsafeBufferPointer(start: data, count: size)), source: "fuzz.ppm") {
        _ = try? ImagePreprocessing.inputTensor(from: image, source: "fuzz.ppm", channels: 3, height: 8, width: 8)
    }
    return 0
}
