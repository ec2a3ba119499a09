import Foundation
import Testing

/// Inputs sized to exhaust memory are refused before any large allocation:
/// exit 1 and a message naming the limit, with the process's whole address
/// space capped at 100 MB (so its peak memory is under 100 MB; a large
/// allocation would crash it instead of exiting 1).
@Suite struct ResourceLimitTests {
    func expectRefused(_ file: String, _ bytes: [UInt8], _ arguments: [String], mentions: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent(file)
        try Data(bytes).write(to: path)
        let result = try resnetc(arguments.map { $0 == "FILE" ? path.path : $0 }, in: directory, memoryLimitKB: 100_000)
        #expect(result.status == 1, "\(file): \(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(file): \(result.stderr)")
    }

    @Test func hugeModelInput() throws {
        try expectRefused("huge.def", Array("input x shape=1x3x100000x100000\nrelu r x\noutput r\n".utf8),
                          ["compile", "FILE", "-o", "/dev/null"], mentions: "over the limit of")
    }

    @Test func hugeConvolutionWeights() throws {
        try expectRefused("wide.def", Array("input x shape=1x1000000x1x1\nconv c x out=1000000 kernel=1\noutput c\n".utf8),
                          ["compile", "FILE", "-o", "/dev/null"], mentions: "parameter 'c.weight'")
    }

    @Test func safetensorsHeaderClaimingTerabytes() throws {
        let header = #"{"conv1.weight":{"dtype":"F32","shape":[1000000,1000000,1000],"data_offsets":[0,4000000000000000]}}"#
        let length = UInt64(header.utf8.count)
        let bytes = (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + Array(header.utf8)
        try expectRefused("w.safetensors", bytes, ["run", fixturesRoot.appendingPathComponent("tiny_basic/model.def").path,
                                                   "--weights", "FILE"], mentions: "w.safetensors")
        let hugeLength: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 0] + Array("{}".utf8)   // 2^40-byte header
        try expectRefused("h.safetensors", hugeLength, ["run", fixturesRoot.appendingPathComponent("tiny_basic/model.def").path,
                                                        "--weights", "FILE"], mentions: "h.safetensors")
    }

    @Test func npyWithHugeShape() throws {
        var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }".utf8)
        while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        let bytes = [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(header.count), 0] + header + [0, 0, 0, 0]
        try expectRefused("x.npy", bytes, ["run", fixturesRoot.appendingPathComponent("tiny_basic/model.def").path,
                                           "--input", "FILE"], mentions: "x.npy")
    }

    @Test func imageOf100000By100000Pixels() throws {
        try expectRefused("big.ppm", Array("P6\n100000 100000\n255\n".utf8) + [1, 2, 3],
                          ["run", fixturesRoot.appendingPathComponent("tiny_basic/model.def").path, "--input", "FILE"],
                          mentions: "big.ppm")
    }

    @Test func limitsAreOverridable() throws {
        let model = fixturesRoot.appendingPathComponent("tiny_basic/model.def").path
        let lowered = try resnetc(["compile", model, "-o", "/dev/null"], environment: ["RESNETC_MAX_ELEMENTS": "1000"])
        #expect(lowered.status == 1)
        #expect(lowered.stderr.contains("over the limit of 1000 (set RESNETC_MAX_ELEMENTS to change it)"))
        #expect(try resnetc(["compile", model, "-o", "/dev/null"]).status == 0)
    }
}
