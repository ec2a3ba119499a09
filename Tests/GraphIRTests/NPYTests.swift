import Foundation
import Testing
@testable import GraphIR

/// A version 1.0 `.npy` image with the given header text and data.
private func npy(_ header: String, data: [UInt8] = [], version: [UInt8] = [1, 0]) -> [UInt8] {
    let text = Array(header.utf8)
    let length: [UInt8] = version[0] == 1
        ? withUnsafeBytes(of: UInt16(text.count).littleEndian, Array.init)
        : withUnsafeBytes(of: UInt32(text.count).littleEndian, Array.init)
    return [0x93] + Array("NUMPY".utf8) + version + length + text + data
}

private func floats(_ values: [Float]) -> [UInt8] {
    values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian, Array.init) }
}

private func decodeMessage(_ bytes: [UInt8]) -> String? {
    fileErrorMessage { _ = try NPY.decode(bytes, source: "x.npy") }
}

@Suite struct NPYTests {
    @Test func roundTripsThroughEncodeAndFiles() throws {
        for tensor in [Tensor(shape: [2, 3], data: [1, -2, 3.5, .pi, 0, 0x1p-140]), Tensor(shape: [4], data: [1, 2, 3, 4]),
                       Tensor(shape: [], data: [7]), Tensor(shape: [1, 0, 3], data: [])] {
            let bytes = NPY.encode(tensor)
            #expect((bytes.count - 4 * tensor.count) % 64 == 0)
            #expect(try NPY.decode(bytes, source: "t") == tensor)
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("npy-\(UUID().uuidString).npy").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tensor = Tensor(shape: [1, 2, 2], data: [0.5, 1.5, 2.5, 3.5])
        try NPY.write(tensor, to: path)
        #expect(try NPY.read(contentsOf: path) == tensor)
    }

    @Test func encodesByteForByteAsNumPy() throws {
        // The fixtures' float32 files were written by numpy.save.
        for name in ["tiny_basic", "tiny_bottleneck", "tiny_preact", "tiny_same"] {
            for file in ["input.npy", "expected.npy"] {
                let path = "/work/shared/fixtures/\(name)/\(file)"
                let bytes = try #require(FileManager.default.contents(atPath: path))
                #expect(NPY.encode(try NPY.read(contentsOf: path)) == [UInt8](bytes), "\(path)")
            }
        }
    }

    @Test func readsTheFixturesIncludingFloat64() throws {
        // Values from numpy.load; float64 ones rounded to float32.
        let cases: [(String, [Int], Float, Float)] = [
            ("tiny_basic/input.npy", [1, 3, 32, 32], -0.50957190990448, 0.7081937789916992),
            ("tiny_basic/expected.npy", [1, 10], -3.440992593765259, -1.3086566925048828),
            ("tiny_basic/expected_f64.npy", [1, 10], -3.4409937858581543, Float(-1.3086560318394036)),
            ("tiny_bottleneck/input.npy", [2, 3, 32, 32], -2.115243673324585, -0.784131646156311),
            ("tiny_bottleneck/expected_f64.npy", [2, 10], 5.3185014724731445, Float(11.578689388826264)),
            ("tiny_preact/expected_f64.npy", [1, 10], 2.5719389668665826e-05, Float(0.2718166049040843)),
            ("tiny_same/input.npy", [1, 3, 30, 30], 0.284575879573822, 1.0189549922943115),
            ("tiny_same/expected.npy", [1, 10], -1.3168907165527344, 0.738273024559021),
        ]
        for (file, shape, first, last) in cases {
            let tensor = try NPY.read(contentsOf: "/work/shared/fixtures/" + file)
            #expect(tensor.shape == shape && tensor.data.first == first && tensor.data.last == last, "\(file)")
        }
    }

    @Test func parsesHeadersRobustly() throws {
        let data = floats([1, 2, 3])
        let headers = [
            "{'shape': (3,), 'fortran_order': False, 'descr': '<f4'}",
            "{ \"descr\" : \"<f4\" ,'fortran_order':False,'shape':( 3 , ) , }   \n",
            "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 1), }",
        ]
        #expect(try NPY.decode(npy(headers[0], data: data), source: "t") == Tensor(shape: [3], data: [1, 2, 3]))
        #expect(try NPY.decode(npy(headers[1], data: data, version: [2, 0]), source: "t") == Tensor(shape: [3], data: [1, 2, 3]))
        #expect(try NPY.decode(npy(headers[2], data: data, version: [3, 0]), source: "t") == Tensor(shape: [3, 1], data: [1, 2, 3]))
        #expect(try NPY.decode(npy("{'descr': '<f4', 'fortran_order': False, 'shape': ()}", data: floats([9])), source: "t")
            == Tensor(shape: [], data: [9]))
    }

    @Test func reportsUnreadableFiles() {
        #expect(fileErrorMessage { _ = try NPY.read(contentsOf: "/nonexistent/x.npy") } == "/nonexistent/x.npy: cannot read the tensor file: no such file")
        #expect(fileErrorMessage { try NPY.write(Tensor(zeros: [1]), to: "/nonexistent/dir/y.npy") }?.hasPrefix("/nonexistent/dir/y.npy: cannot write the tensor file: ") == true)
    }

    @Test func rejectsBadMagicAndVersions() {
        #expect(decodeMessage(Array("PK\u{3}\u{4}zipfile".utf8)) == "x.npy: not a NumPy .npy file (missing the \\x93NUMPY magic)")
        #expect(decodeMessage([0x93, 0x4E]) == "x.npy: not a NumPy .npy file (missing the \\x93NUMPY magic)")
        #expect(decodeMessage(npy("{}", version: [4, 0])) == "x.npy: unsupported .npy format version 4.0 (expected 1.0, 2.0 or 3.0)")
        #expect(decodeMessage(npy("{}", version: [1, 1])) == "x.npy: unsupported .npy format version 1.1 (expected 1.0, 2.0 or 3.0)")
    }

    @Test func rejectsTruncatedHeaders() {
        let full = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), }", data: floats([1]))
        #expect(decodeMessage(Array(full.prefix(9))) == "x.npy: file ends inside the .npy header")
        #expect(decodeMessage(Array(full.prefix(30))) == "x.npy: file ends inside the .npy header")
    }

    @Test func rejectsMalformedHeaders() {
        func header(_ text: String) -> String? { decodeMessage(npy(text)) }
        #expect(header("descr: <f4") == "x.npy: malformed .npy header: expected '{'")
        #expect(header("{'descr': '<f4', 'fortran_order': False}") == "x.npy: malformed .npy header: 'shape' is missing or not a tuple of integers")
        #expect(header("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}") == "x.npy: malformed .npy header: bad value for 'shape'")
        #expect(header("{'descr': '<f4', 'fortran_order': 0, 'shape': (1,)}") == "x.npy: malformed .npy header: bad value for 'fortran_order'")
        #expect(header("{'descr': '<f4' 'shape': (1,)}") == "x.npy: malformed .npy header: expected ',' or '}'")
        #expect(header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': True}") == "x.npy: malformed .npy header: unexpected key 'x'")
        #expect(header("{'descr': '<f4', 'descr': '<f4'}") == "x.npy: malformed .npy header: duplicate key 'descr'")
        #expect(header("{'descr': '<f4', 'fortran_order': False, 'shape': (1,)} junk") == "x.npy: malformed .npy header: unexpected text after '}'")
        #expect(header("{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}") == "x.npy: malformed .npy header: bad value for 'shape'")
    }

    @Test func rejectsUnsupportedDTypesAndFortranOrder() {
        #expect(decodeMessage(npy("{'descr': '>f4', 'fortran_order': False, 'shape': (1,), }", data: floats([1])))
            == "x.npy: unsupported dtype '>f4' (expected little-endian float32 '<f4' or float64 '<f8')")
        #expect(decodeMessage(npy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", data: .init(repeating: 0, count: 8)))
            == "x.npy: unsupported dtype '<i8' (expected little-endian float32 '<f4' or float64 '<f8')")
        #expect(decodeMessage(npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", data: floats([1, 2, 3, 4])))
            == "x.npy: Fortran-ordered arrays are not supported (save with C order)")
    }

    @Test func rejectsDataOfTheWrongSize() {
        #expect(decodeMessage(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", data: floats([1, 2, 3])))
            == "x.npy: shape [2,3] of '<f4' needs 24 data bytes, found 12")
        #expect(decodeMessage(npy("{'descr': '<f8', 'fortran_order': False, 'shape': (1,), }", data: floats([1, 2, 3])))
            == "x.npy: shape [1] of '<f8' needs 8 data bytes, found 12")
    }

    @Test func refusesHugeShapesBeforeAllocating() {
        #expect(decodeMessage(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536), }"))
            == "x.npy: shape [65536,65536] has more than 268435456 elements (set RESNETC_MAX_ELEMENTS to change the limit)")
        #expect(decodeMessage(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4), }"))
            == "x.npy: shape [4294967296,4294967296,4] has more than 268435456 elements (set RESNETC_MAX_ELEMENTS to change the limit)")
    }
}
