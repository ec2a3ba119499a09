import Foundation
import Testing
@testable import GraphIR

/// The malformed-model corpus: each `Inputs/bad-defs/NAME.def` must fail with
/// exactly the diagnostics in `NAME.expected` (message, line, column, source
/// line, caret, notes).
@Suite struct DiagnosticsTests {
    static let cases: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: Fixture.badDefsDirectory.path)) ?? []
        return files.filter { $0.hasSuffix(".def") }.map { String($0.dropLast(4)) }.sorted()
    }()

    @Test func corpusIsLargeEnough() {
        #expect(Self.cases.count >= 25)
    }

    @Test(arguments: cases) func reportsExactDiagnostics(_ name: String) throws {
        let source = try String(contentsOf: Fixture.badDefsDirectory.appendingPathComponent("\(name).def"), encoding: .utf8)
        let expected = try String(contentsOf: Fixture.badDefsDirectory.appendingPathComponent("\(name).expected"), encoding: .utf8)
        let error = #expect(throws: DiagnosticError.self) { try ModelParser.parse(source, file: "\(name).def") }
        #expect((error?.description ?? "") + "\n" == expected)
    }

    @Test func reportsEveryIndependentErrorInOneFile() throws {
        let source = try String(contentsOf: Fixture.badDefsDirectory.appendingPathComponent("many-errors.def"), encoding: .utf8)
        let error = #expect(throws: DiagnosticError.self) { try ModelParser.parse(source, file: "m.def") }
        let headers = error?.diagnostics.map { "\($0.location.map { "\($0.line):\($0.column)" } ?? "-") \($0.message)" }
        #expect(headers == [
            "3:21 unknown attribute 'kernal' for conv (did you mean 'kernel'?)",
            "6:1 unknown op 'cnv' (did you mean 'conv'?)",
            "8:1 shape mismatch at add 'sum': 'x' is [1,3,32,32], 'conv3' is [1,16,16,16]",
            "9:32 bad value for 'stride': expected a positive integer or HxW pair, found 'two'",
            "10:6 redefinition of 'relu'",
            "12:7 undefined value 'layr1' (did you mean 'layer1'?)",
        ])
    }

    @Test func suggestsByEditDistance() {
        #expect(Spelling.closest(to: "cnv", among: ["conv", "bn", "relu"]) == "conv")
        #expect(Spelling.closest(to: "layr1", among: ["layer1", "layer2", "x"]) == "layer1")
        #expect(Spelling.closest(to: "zzzz", among: ["conv", "relu"]) == nil)
        #expect(Spelling.editDistance("kitten", "sitting") == 3)
        #expect(Spelling.editDistance("", "abc") == 3)
    }
}
