import Foundation
import Testing

/// What one run of the `resnetc` binary did.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// The repository root (this file is Tests/ResnetcTests/CLITestSupport.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// `../shared/fixtures` beside the checkout.
let fixturesRoot = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")

/// The names of the PyTorch reference fixtures.
let fixtureNames = ["tiny_basic", "tiny_bottleneck", "tiny_preact", "tiny_same"]

/// The built `resnetc`, beside the test bundle.
let resnetcBinary: URL = {
    let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent()]
    for directory in candidates {
        let url = directory.appendingPathComponent("resnetc")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    return candidates[0].appendingPathComponent("resnetc")
}()

/// A fresh temporary directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("resnetc-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Runs `resnetc arguments` in `workingDirectory` (default: the repository root),
/// with its address space capped at `memoryLimitKB` if given (through the
/// shell's `ulimit -v`: virtual size bounds resident size from above). Output goes to files,
/// not pipes, so a child that prints a lot can never block.
func resnetc(_ arguments: [String], in workingDirectory: URL = repositoryRoot, memoryLimitKB: Int? = nil,
             environment: [String: String] = [:]) throws -> CommandResult {
    let directory = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    let out = directory.appendingPathComponent("stdout"), err = directory.appendingPathComponent("stderr")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    // A sanitized build reserves terabytes of shadow memory: no cap there.
    let sanitized = ProcessInfo.processInfo.environment["RESNETC_SANITIZED"] != nil
    if let memoryLimitKB, !sanitized {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "ulimit -v \(memoryLimitKB) && exec \"$0\" \"$@\"", resnetcBinary.path] + arguments
    } else {
        process.executableURL = resnetcBinary
        process.arguments = arguments
    }
    process.currentDirectoryURL = workingDirectory
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    process.standardInput = FileHandle.nullDevice
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    try process.run()
    process.waitUntilExit()
    return CommandResult(status: process.terminationStatus,
                         stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                         stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}
