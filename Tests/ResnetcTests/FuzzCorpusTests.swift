import Foundation
import GraphIR
import Testing
@testable import Runtime

/// Every input of the fuzzing corpora (`Fuzz/Corpus/TARGET`, crashes found
/// included once fixed) through the code its fuzz target exercises: each must
/// come back as a value or a thrown error, never a crash.
@Suite struct FuzzCorpusTests {
    static func inputs(_ target: String) -> [URL] {
        let directory = repositoryRoot.appendingPathComponent("Fuzz/Corpus/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().map { directory.appendingPathComponent($0) }
    }

    func bytes(_ url: URL) throws -> [UInt8] { Array(try Data(contentsOf: url)) }

    @Test func everyCorpusHasInputs() {
        for target in ["def", "safetensors", "npy", "image", "plan"] {
            #expect(!Self.inputs(target).isEmpty, "Fuzz/Corpus/\(target) is empty")
        }
    }

    @Test func definitions() throws {
        for url in Self.inputs("def") {
            if let graph = try? ModelParser.parse(String(decoding: try bytes(url), as: UTF8.self), file: "fuzz.def") {
                _ = graph.defText()
                _ = graph.summaryText()
            }
        }
    }

    @Test func safetensors() throws {
        for url in Self.inputs("safetensors") { _ = try? SafeTensors.decode(try bytes(url), source: "fuzz.safetensors") }
    }

    @Test func npy() throws {
        for url in Self.inputs("npy") { _ = try? NPY.decode(try bytes(url), source: "fuzz.npy") }
    }

    @Test func images() throws {
        for url in Self.inputs("image") {
            if let image = try? PNMImage.decode(try bytes(url), source: "fuzz.ppm") {
                _ = try? ImagePreprocessing.inputTensor(from: image, source: "fuzz.ppm", channels: 3, height: 8, width: 8)
            }
        }
    }

    @Test func plans() throws {
        for url in Self.inputs("plan") {
            // As the fuzz target does: re-seal the checksum so the input reaches the decoder.
            if let plan = try? PlanFile.decode(PlanFile.resealed(try bytes(url)), source: "fuzz.plan") {
                _ = plan.jsonText()
                _ = plan.textDump()
            }
        }
    }
}
