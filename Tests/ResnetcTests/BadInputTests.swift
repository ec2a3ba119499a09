import Foundation
import Testing

/// Bad input of every kind, through the CLI: each is answered with exit 1,
/// the message SPEC asks for on stderr, nothing on stdout, and no crash.
@Suite struct BadInputTests {
    static let badDefs = repositoryRoot.appendingPathComponent("Tests/GraphIRTests/Inputs/bad-defs")
    static let badDefNames: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: badDefs.path)) ?? []
        return files.filter { $0.hasSuffix(".def") }.map { String($0.dropLast(4)) }.sorted()
    }()

    /// Every malformed `.def` of the diagnostics corpus, compiled by the CLI:
    /// the exact diagnostics (file, line, column, source line, caret) on stderr.
    @Test(arguments: badDefNames)
    func malformedDefinition(name: String) throws {
        let result = try resnetc(["compile", "\(name).def", "-o", "/dev/null"], in: Self.badDefs)
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        let expected = try String(contentsOf: Self.badDefs.appendingPathComponent("\(name).expected"), encoding: .utf8)
        #expect(result.stderr.hasPrefix(expected), "\(name): got\n\(result.stderr)")
    }

    /// A bad-file case: write `bytes` to a file, run `arguments` (where
    /// `FILE` stands for it), expect exit 1 and `message` on stderr.
    struct Case: CustomStringConvertible {
        var name: String
        var fileName: String
        var bytes: [UInt8]
        var arguments: [String]
        var message: String
        var description: String { name }
    }

    static let model = fixturesRoot.appendingPathComponent("tiny_basic/model.def").path
    static let weights = fixturesRoot.appendingPathComponent("tiny_basic/weights.safetensors")
    static let input = fixturesRoot.appendingPathComponent("tiny_basic/input.npy")

    /// A safetensors file with this JSON header and data.
    static func safetensors(header: String, data: [UInt8]) -> [UInt8] {
        let json = Array(header.utf8)
        let length = UInt64(json.count)
        return (0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) } + json + data
    }

    /// A `.npy` file (format 1.0) with this header dictionary and data.
    static func npy(_ dictionary: String, data: [UInt8], magic: [UInt8] = [0x93] + Array("NUMPY".utf8)) -> [UInt8] {
        var header = Array(dictionary.utf8)
        while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        return magic + [1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + data
    }

    static var cases: [Case] {
        let original = (try? Data(contentsOf: weights)).map(Array.init) ?? []
        let inputBytes = (try? Data(contentsOf: input)).map(Array.init) ?? []
        let run = { (option: String) in ["run", model, option, "FILE"] }
        let withWeights = ["run", model, "--weights", "FILE", "--input", input.path]
        let floats = [UInt8](repeating: 0, count: 16)
        return [
            Case(name: "safetensors truncated", fileName: "w.safetensors", bytes: Array(original.prefix(original.count / 2)),
                 arguments: withWeights, message: "w.safetensors"),
            Case(name: "safetensors shorter than its length field", fileName: "w.safetensors", bytes: [1, 2, 3],
                 arguments: withWeights, message: "w.safetensors"),
            Case(name: "safetensors header length beyond the file", fileName: "w.safetensors",
                 bytes: [0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0x7B], arguments: withWeights, message: "w.safetensors"),
            Case(name: "safetensors bad JSON", fileName: "w.safetensors", bytes: safetensors(header: "{\"a\": [", data: []),
                 arguments: withWeights, message: "w.safetensors"),
            Case(name: "safetensors offsets out of range", fileName: "w.safetensors",
                 bytes: safetensors(header: #"{"conv1.weight":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"x":{"dtype":"F32","shape":[4],"data_offsets":[16,400]}}"#, data: floats),
                 arguments: withWeights, message: "data_offsets"),
            Case(name: "safetensors wrong dtype", fileName: "w.safetensors",
                 bytes: safetensors(header: #"{"conv1.weight":{"dtype":"Q7","shape":[4],"data_offsets":[0,16]}}"#, data: floats),
                 arguments: withWeights, message: "Q7"),
            Case(name: "safetensors wrong shape and missing keys", fileName: "w.safetensors",
                 bytes: safetensors(header: #"{"conv1.weight":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: floats),
                 arguments: withWeights, message: "conv1.weight"),
            Case(name: "safetensors missing key", fileName: "w.safetensors",
                 bytes: safetensors(header: #"{"fc.bias":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, data: floats),
                 arguments: withWeights, message: "missing weight 'conv1.weight'"),
            Case(name: "npy bad magic", fileName: "x.npy", bytes: npy("{}", data: [], magic: Array("NOTNPY".utf8)),
                 arguments: run("--input"), message: "x.npy"),
            Case(name: "npy truncated", fileName: "x.npy", bytes: Array(inputBytes.prefix(inputBytes.count - 7)),
                 arguments: run("--input"), message: "x.npy"),
            Case(name: "npy big-endian", fileName: "x.npy",
                 bytes: npy("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", data: floats),
                 arguments: run("--input"), message: "x.npy"),
            Case(name: "npy integer dtype", fileName: "x.npy",
                 bytes: npy("{'descr': '<i4', 'fortran_order': False, 'shape': (4,), }", data: floats),
                 arguments: run("--input"), message: "x.npy"),
            Case(name: "npy wrong shape for the model", fileName: "x.npy",
                 bytes: npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", data: floats),
                 arguments: run("--input"), message: "expects [1,3,32,32]"),
            Case(name: "npy huge shape", fileName: "x.npy",
                 bytes: npy("{'descr': '<f4', 'fortran_order': False, 'shape': (100000, 100000, 100000), }", data: floats),
                 arguments: run("--input"), message: "x.npy"),
            Case(name: "image bad magic", fileName: "i.ppm", bytes: Array("P3\n2 2\n255\n".utf8), arguments: run("--input"),
                 message: "i.ppm"),
            Case(name: "image truncated", fileName: "i.ppm", bytes: Array("P6\n4 4\n255\n".utf8) + [1, 2, 3],
                 arguments: run("--input"), message: "i.ppm"),
            Case(name: "image 100000x100000", fileName: "i.pgm", bytes: Array("P5\n100000 100000\n255\n".utf8),
                 arguments: run("--input"), message: "i.pgm"),
            Case(name: "def renamed to plan", fileName: "m.plan", bytes: Array("input x shape=1x3x8x8\n".utf8),
                 arguments: ["run", "FILE"], message: "not a resnetc plan"),
            Case(name: "empty plan", fileName: "m.plan", bytes: [], arguments: ["run", "FILE"], message: "m.plan"),
        ]
    }

    @Test(arguments: cases)
    func badFile(_ c: Case) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent(c.fileName)
        try Data(c.bytes).write(to: file)
        let result = try resnetc(c.arguments.map { $0 == "FILE" ? c.fileName : $0 }, in: directory)
        #expect(result.status == 1, "\(c.name): status \(result.status)\n\(result.stderr)")
        #expect(result.stderr.contains(c.message), "\(c.name): stderr\n\(result.stderr)")
        #expect(result.stderr.contains("error"), "\(c.name): stderr\n\(result.stderr)")
    }

    /// A valid plan, damaged: truncated, one flipped byte anywhere, a newer version.
    @Test func damagedPlans() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("good.plan")
        let compiled = try resnetc(["compile", Self.model, "--weights", Self.weights.path, "-o", plan.path])
        try #require(compiled.status == 0, "\(compiled.stderr)")
        let bytes = Array(try Data(contentsOf: plan))
        var damaged: [(String, [UInt8], String)] = [
            ("truncated", Array(bytes.prefix(bytes.count - 100)), "truncated"),
            ("header only", Array(bytes.prefix(20)), "truncated"),
        ]
        var newer = bytes
        newer[8] = 99
        damaged.append(("newer version", newer, "newer"))
        for position in stride(from: 16, to: bytes.count, by: max(1, bytes.count / 12)) {
            var flipped = bytes
            flipped[position] ^= 0x10
            damaged.append(("byte \(position) flipped", flipped, "checksum"))
        }
        for (name, data, message) in damaged {
            let file = directory.appendingPathComponent("bad.plan")
            try Data(data).write(to: file)
            let result = try resnetc(["run", file.path])
            #expect(result.status == 1, "\(name): status \(result.status)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
        }
    }

    @Test func corpusHasAtLeastFortyInputs() {
        #expect(Self.badDefNames.count + Self.cases.count + 3 >= 40)
    }
}
