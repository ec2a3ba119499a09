import Foundation
import Testing
@testable import GraphIR

/// A safetensors image from a header text and raw data bytes.
private func file(_ header: String, data: [UInt8] = []) -> [UInt8] {
    let json = Array(header.utf8)
    return withUnsafeBytes(of: UInt64(json.count).littleEndian, Array.init) + json + data
}

private func decodeMessage(_ bytes: [UInt8]) -> String? {
    fileErrorMessage { _ = try SafeTensors.decode(bytes, source: "w.safetensors") }
}

@Suite struct SafeTensorsTests {
    @Test func roundTripsFloat32() throws {
        let tensors = ["conv1.weight": Tensor(shape: [2, 1, 1, 2], data: [1, -2.5, .pi, 1e-30]),
                       "fc.bias": Tensor(shape: [3], data: [0, -0.0, 7]),
                       "scalar": Tensor(shape: [], data: [42])]
        let bytes = SafeTensors.encode(tensors)
        #expect(FileBytes.littleEndian(bytes, at: 0, as: UInt64.self) % 8 == 0)
        #expect(try SafeTensors.decode(bytes, source: "t") == tensors)
    }

    @Test func convertsFloat16ExactlyIncludingSubnormalsInfinitiesAndNaN() throws {
        let halves: [UInt16] = [0x3C00, 0xC000, 0x0001, 0x03FF, 0x7BFF, 0x3555, 0x7C00, 0xFC00, 0x7E00, 0x8000]
        let data = halves.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bytes = file(#"{"h": {"dtype": "F16", "shape": [10], "data_offsets": [0, 20]}}"#, data: data)
        let values = try #require(try SafeTensors.decode(bytes, source: "t")["h"]).data
        #expect(Array(values[0..<6]) == [1, -2, 0x1p-24, 1023 * 0x1p-24, 65504, 0.333251953125])
        #expect(values[6] == .infinity && values[7] == -.infinity && values[8].isNaN)
        #expect(values[9] == 0 && values[9].sign == .minus)
    }

    @Test func convertsBFloat16Exactly() throws {
        let raw: [UInt16] = [0x3F80, 0xC040, 0x3EAB, 0x7F80, 0x0001]
        let data = raw.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let bytes = file(#"{"b": {"dtype": "BF16", "shape": [5], "data_offsets": [0, 10]}}"#, data: data)
        let values = try #require(try SafeTensors.decode(bytes, source: "t")["b"]).data
        #expect(values == [1, -3, 0.333984375, .infinity, Float(bitPattern: 0x0001_0000)])
    }

    @Test func dropsNumBatchesTrackedWhateverItsDType() throws {
        let header = #"{"__metadata__": {"format": "pt"}, "bn.num_batches_tracked": {"dtype": "I64", "shape": [], "data_offsets": [0, 8]}, "#
            + #""bn.weight": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}"#
        let data: [UInt8] = [5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x3F]
        #expect(try SafeTensors.decode(file(header, data: data), source: "t") == ["bn.weight": Tensor(shape: [1], data: [1])])
    }

    @Test func readsEveryFixture() throws {
        // Counts and first values computed with Python's json and numpy.
        let expected: [(String, Int, Int, String, Float)] = [
            ("tiny_basic", 52, 11362, "bn1.bias", 0.38840144872665405),
            ("tiny_bottleneck", 62, 9018, "bn1.bias", 0.3247952461242676),
            ("tiny_preact", 54, 9346, "conv1.weight", -0.09856889396905899),
            ("tiny_same", 69, 28834, "bn1.bias", -0.1988285779953003),
        ]
        for (name, keys, elements, firstKey, firstValue) in expected {
            let tensors = try SafeTensors.read(contentsOf: "/work/shared/fixtures/\(name)/weights.safetensors")
            #expect(tensors.count == keys, "\(name)")
            #expect(tensors.values.map(\.count).reduce(0, +) == elements, "\(name)")
            #expect(tensors[firstKey]?.data.first == firstValue, "\(name)")
            #expect(!tensors.keys.contains { $0.hasSuffix("num_batches_tracked") })
        }
    }

    @Test func reportsUnreadableFiles() {
        #expect(fileErrorMessage { _ = try SafeTensors.read(contentsOf: "/nonexistent/w.safetensors") }
            == "/nonexistent/w.safetensors: cannot read the weights file: no such file")
        #expect(fileErrorMessage { _ = try SafeTensors.read(contentsOf: "/tmp") }
            == "/tmp: cannot read the weights file: is a directory")
    }

    @Test func rejectsFilesTooShortForTheHeaderLength() {
        #expect(decodeMessage([1, 2, 3, 4, 5]) == "w.safetensors: file is 5 bytes, too short for the 8-byte safetensors header length")
    }

    @Test func rejectsAbsurdHeaderLengthsBeforeAllocating() {
        let bytes = withUnsafeBytes(of: UInt64(1 << 40).littleEndian, Array.init) + [UInt8]("{}".utf8)
        #expect(decodeMessage(bytes) == "w.safetensors: header length 1099511627776 exceeds the limit of 100000000 bytes (not a safetensors file?)")
    }

    @Test func rejectsHeaderLengthBeyondTheFile() {
        let bytes = withUnsafeBytes(of: UInt64(100).littleEndian, Array.init) + [UInt8]("{}".utf8)
        #expect(decodeMessage(bytes) == "w.safetensors: header length 100 extends beyond the end of the file (2 bytes after the length)")
    }

    @Test func rejectsInvalidJSONAndWrongStructure() {
        #expect(decodeMessage(file(#"{"a": "#)) == "w.safetensors: invalid safetensors header: not valid JSON")
        #expect(decodeMessage(file("[1, 2]")) == "w.safetensors: invalid safetensors header: expected a JSON object of tensors")
        #expect(decodeMessage(file(#"{"__metadata__": 3}"#)) == "w.safetensors: invalid safetensors header: '__metadata__' is not an object")
        #expect(decodeMessage(file("{}").dropLast() + [0xFF]) == "w.safetensors: invalid safetensors header: not UTF-8 text")
        #expect(decodeMessage(file(#"{"a": [1]}"#))
            == "w.safetensors: tensor 'a': expected an object with 'dtype', 'shape' and 'data_offsets'")
        #expect(decodeMessage(file(#"{"a": {"shape": [1], "data_offsets": [0, 4]}}"#))
            == "w.safetensors: tensor 'a': 'dtype' is missing or not a string")
    }

    @Test func rejectsBadShapes() {
        let notShape = "w.safetensors: tensor 'a': 'shape' is missing or not a list of non-negative integers"
        #expect(decodeMessage(file(#"{"a": {"dtype": "F32", "shape": [2, -1], "data_offsets": [0, 4]}}"#)) == notShape)
        #expect(decodeMessage(file(#"{"a": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 4]}}"#)) == notShape)
        #expect(decodeMessage(file(#"{"a": {"dtype": "F32", "shape": 4, "data_offsets": [0, 4]}}"#)) == notShape)
        #expect(decodeMessage(file(#"{"a": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 4]}}"#))
            == "w.safetensors: tensor 'a': shape [4294967296,4294967296] has too many elements")
    }

    @Test func rejectsUnsupportedDTypesNamingKeyAndDType() {
        #expect(decodeMessage(file(#"{"conv1.weight": {"dtype": "I32", "shape": [1], "data_offsets": [0, 4]}}"#))
            == "w.safetensors: tensor 'conv1.weight': unsupported dtype 'I32' (expected F32, F16 or BF16)")
        #expect(decodeMessage(file(#"{"x": {"dtype": "float32", "shape": [1], "data_offsets": [0, 4]}}"#))
            == "w.safetensors: tensor 'x': unsupported dtype 'float32' (expected F32, F16 or BF16)")
    }

    @Test func rejectsBadDataOffsets() {
        let notPair = "w.safetensors: tensor 'a': 'data_offsets' is missing or not [begin, end] with non-negative integers"
        #expect(decodeMessage(file(#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0]}}"#)) == notPair)
        #expect(decodeMessage(file(#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, true]}}"#)) == notPair)
        #expect(decodeMessage(file(#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": ["0", 4]}}"#)) == notPair)
        #expect(decodeMessage(file(#"{"a": {"dtype": "F32", "shape": [1], "data_offsets": [-4, 0]}}"#)) == notPair)
        #expect(decodeMessage(file(#"{"a": {"dtype": "F32", "shape": [0], "data_offsets": [8, 4]}}"#))
            == "w.safetensors: tensor 'a': data_offsets [8, 4] end before they begin")
        #expect(decodeMessage(file(#"{"conv1.weight": {"dtype": "F32", "shape": [25], "data_offsets": [0, 100]}}"#, data: .init(repeating: 0, count: 64)))
            == "w.safetensors: tensor 'conv1.weight': data_offsets [0, 100] extend beyond the data section (64 bytes)")
    }

    @Test func rejectsSizeMismatches() {
        #expect(decodeMessage(file(#"{"a": {"dtype": "F16", "shape": [2, 3], "data_offsets": [0, 24]}}"#, data: .init(repeating: 0, count: 24)))
            == "w.safetensors: tensor 'a': shape [2,3] of F16 needs 12 bytes, data_offsets [0, 24] hold 24")
    }

    @Test func rejectsATruncatedFixture() throws {
        let bytes = SafeTensors.encode(["w": Tensor(shape: [4], data: [1, 2, 3, 4])])
        #expect(decodeMessage(Array(bytes.dropLast(3)))
            == "w.safetensors: tensor 'w': data_offsets [0, 16] extend beyond the data section (13 bytes)")
    }
}
