import Foundation
import GraphIR
import Testing

/// Every PyTorch fixture, through the CLI exactly as a user runs it: straight
/// from the `.def`, and via a written `.plan`, at every optimization level.
@Suite struct FixtureTests {
    /// Relative error of the file at `path` against the fixture's float64 output.
    func relativeError(_ fixture: String, _ path: URL) throws -> Double {
        let expected = try NPY.read(contentsOf: fixturesRoot.appendingPathComponent("\(fixture)/expected_f64.npy").path)
        let actual = try NPY.read(contentsOf: path.path)
        #expect(actual.shape == expected.shape)
        return NumericComparison(actual: actual.data, expected: expected.data).relative
    }

    @Test(arguments: fixtureNames)
    func runFromDefMatchesPyTorch(fixture: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = fixturesRoot.appendingPathComponent(fixture)
        let output = directory.appendingPathComponent("y.npy")
        let result = try resnetc(["run", base.appendingPathComponent("model.def").path,
                                  "--weights", base.appendingPathComponent("weights.safetensors").path,
                                  "--input", base.appendingPathComponent("input.npy").path, "--output", output.path])
        #expect(result.status == 0, "\(result.stderr)")
        let error = try relativeError(fixture, output)
        #expect(error <= 1e-3, "\(fixture): relative error \(error)")
        print("fixture \(fixture) (from .def): max relative error \(error)")
    }

    @Test(arguments: fixtureNames, ["-O0", "-O1", "-O2"])
    func compiledPlanMatchesPyTorch(fixture: String, level: String) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = fixturesRoot.appendingPathComponent(fixture)
        let plan = directory.appendingPathComponent("model.plan"), output = directory.appendingPathComponent("y.npy")
        let compiled = try resnetc(["compile", base.appendingPathComponent("model.def").path, level,
                                    "--weights", base.appendingPathComponent("weights.safetensors").path, "-o", plan.path])
        #expect(compiled.status == 0, "\(compiled.stderr)")
        let result = try resnetc(["run", plan.path, "--input", base.appendingPathComponent("input.npy").path,
                                  "--output", output.path, "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let error = try relativeError(fixture, output)
        #expect(error <= 1e-3, "\(fixture) \(level): relative error \(error)")
        print("fixture \(fixture) (plan \(level)): max relative error \(error)")
    }
}
