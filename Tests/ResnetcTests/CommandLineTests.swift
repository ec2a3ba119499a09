import Foundation
import Runtime
import Testing

/// The CLI as a user sees it: stdout, stderr and exit codes, separately.
@Suite struct CommandLineTests {
    let tinyBasic = fixturesRoot.appendingPathComponent("tiny_basic")
    var def: String { tinyBasic.appendingPathComponent("model.def").path }
    var weights: String { tinyBasic.appendingPathComponent("weights.safetensors").path }

    @Test func helpIsTheSameEveryWayItIsAsked() throws {
        let a = try resnetc(["help", "run"]), b = try resnetc(["run", "--help"]), c = try resnetc(["run", "-h"])
        #expect(a.status == 0 && b.status == 0 && c.status == 0)
        #expect(a.stdout == b.stdout && b.stdout == c.stdout)
        for section in ["OVERVIEW:", "USAGE:", "ARGUMENTS:", "OPTIONS:", "--threads", "--profile"] {
            #expect(a.stdout.contains(section))
        }
        let top = try resnetc(["--help"])
        #expect(top.status == 0 && top.stdout.contains("compile") && top.stdout.contains("bench"))
    }

    @Test func compileHelpListsThePasses() throws {
        let help = try resnetc(["compile", "--help"]).stdout
        for pass in ["fold-batchnorm", "fuse-epilogue", "schedule-memory"] { #expect(help.contains(pass)) }
    }

    @Test func misspelledOptionIsAUsageErrorWithASuggestion() throws {
        let result = try resnetc(["run", def, "--thread", "2"])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "error: unknown option '--thread' (did you mean '--threads'?)")
        #expect(lines.contains { $0.hasPrefix("USAGE: resnetc run") })
        #expect(lines.last == "See 'resnetc run --help'.")
    }

    @Test func usageErrors() throws {
        #expect(try resnetc([]).status == 2)
        #expect(try resnetc(["frobnicate"]).stderr.hasPrefix("error: unknown command 'frobnicate'"))
        #expect(try resnetc(["compil", def]).stderr.contains("did you mean 'compile'?"))
        #expect(try resnetc(["run"]).status == 2)
        #expect(try resnetc(["run", def, "--threads", "zero"]).status == 2)
        #expect(try resnetc(["run", def, "--threads=0"]).status == 2)
        #expect(try resnetc(["compile", def, "-O0", "-O2"]).status == 2)
        let pass = try resnetc(["compile", def, "--disable-pass", "fold-batchnom"])
        #expect(pass.status == 2)
        #expect(pass.stderr.contains("unknown pass 'fold-batchnom' (did you mean 'fold-batchnorm'?)"))
        #expect(try resnetc(["dump", def, "--stage", "optimised"]).stderr.contains("did you mean 'optimized'?"))
        #expect(try resnetc(["dump", def, "--format", "svg"]).status == 2)
    }

    @Test func optionValuesWorkWithEqualsSign() throws {
        let result = try resnetc(["run", def, "--weights=\(weights)", "--top=3", "--threads=1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.split(separator: "\n").count == 3)
    }

    @Test func compilePrintsOneSummaryLineAndWritesThePlan() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let plan = directory.appendingPathComponent("m.plan").path
        let result = try resnetc(["compile", def, "--weights", weights, "-o", plan])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let line = String(lines[0])
        #expect(line.contains("bn folded") && line.contains("fused") && line.contains("arena") && line.contains("weights"))
        #expect(FileManager.default.fileExists(atPath: plan))
        #expect(result.stderr.isEmpty, "weights given: no notice expected, got \(result.stderr)")
    }

    @Test func randomWeightsComeWithANotice() throws {
        let result = try resnetc(["run", def, "--top", "1"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("random weights (seed 0)"))
        #expect(result.stderr.contains("synthetic input"))
    }

    @Test func printAfterEmitsMLIRStyleHeadersAndValidDefs() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try resnetc(["compile", def, "--weights", weights, "-o", directory.appendingPathComponent("m.plan").path,
                                  "--print-after", "fold-batchnorm"])
        #expect(result.status == 0)
        #expect(result.stderr.hasPrefix("# -----// IR Dump After FoldBatchNorm (fold-batchnorm) //----- //\n"))
        #expect(!result.stderr.contains("\nbn "))
        let all = try resnetc(["compile", def, "--weights", weights, "-o", directory.appendingPathComponent("m.plan").path,
                               "--print-after-all"])
        #expect(all.stderr.components(separatedBy: "IR Dump After").count - 1 == 3)
    }

    @Test func runPrintsTopKWithLabels() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let labels = directory.appendingPathComponent("labels.txt")
        try (0..<10).map { "label\($0)" }.joined(separator: "\n").write(to: labels, atomically: true, encoding: .utf8)
        let result = try resnetc(["run", def, "--weights", weights, "--input", tinyBasic.appendingPathComponent("input.npy").path,
                                  "--labels", labels.path])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { $0.contains("class") && $0.contains("label") })
        let probabilities = lines.compactMap { Double($0.split(separator: " ").first ?? "") }
        #expect(probabilities == probabilities.sorted(by: >))
    }

    @Test func profilePrintsOneLinePerStep() throws {
        let result = try resnetc(["run", def, "--weights", weights, "--profile", "--top", "1"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("GFLOP/s"))
        #expect(result.stdout.contains("total"))
    }

    @Test func benchJSONHasSPECKeys() throws {
        let result = try resnetc(["bench", def, "--weights", weights, "--runs", "3", "--warmup", "1", "--json", "--threads", "2"])
        #expect(result.status == 0, "\(result.stderr)")
        let last = try #require(result.stdout.split(separator: "\n").last)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
        for key in ["model", "batch", "threads", "runs", "median_ms", "p10_ms", "p90_ms", "img_per_s", "gflops",
                    "arena_bytes", "weight_bytes"] {
            #expect(object[key] != nil, "missing \(key)")
        }
        #expect(object["runs"] as? Int == 3)
        // Which microkernels ran (the child sees this process's processor and environment).
        #expect(object["kernels"] as? String == VectorISA.host.rawValue)
    }

    @Test func checkPassesOnEveryFixture() throws {
        for fixture in fixtureNames {
            let base = fixturesRoot.appendingPathComponent(fixture)
            let result = try resnetc(["check", base.appendingPathComponent("model.def").path,
                                      "--weights", base.appendingPathComponent("weights.safetensors").path])
            #expect(result.status == 0, "\(fixture): \(result.stdout) \(result.stderr)")
            #expect(result.stdout.contains("ok"))
        }
    }

    @Test func dumpFormats() throws {
        let summary = try resnetc(["dump", "models/resnet18.def", "--format", "summary"])
        #expect(summary.status == 0)
        #expect(summary.stdout.contains("11,689,512"))
        let dot = try resnetc(["dump", def, "--format", "dot"])
        #expect(dot.stdout.hasPrefix("digraph"))
        let json = try resnetc(["dump", def, "--weights", weights, "--stage", "plan", "--format", "json"])
        #expect((try? JSONSerialization.jsonObject(with: Data(json.stdout.utf8))) != nil)
        let svg = try resnetc(["dump", def, "--weights", weights, "--stage", "plan", "--format", "svg"])
        #expect(svg.stdout.hasPrefix("<svg") || svg.stdout.hasPrefix("<?xml"))
        let optimized = try resnetc(["dump", def, "--weights", weights, "--stage", "optimized"])
        #expect(optimized.status == 0 && !optimized.stdout.contains("\nbn "))
    }
}
