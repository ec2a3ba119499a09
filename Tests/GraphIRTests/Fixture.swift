import Foundation

/// Test data on disk: the shared PyTorch fixtures, the model zoo and the
/// malformed `.def` corpus, found relative to this file.
struct Fixture {
    /// The repository root (three levels above this file).
    static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `../shared/fixtures`, beside the checkout (where CI puts it).
    static let fixturesDirectory: URL = {
        repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures")
    }()

    static let names = ["tiny_basic", "tiny_bottleneck", "tiny_preact", "tiny_same"]

    static let models = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnext50_32x4d",
                         "wide_resnet50_2", "preact_resnet18", "d2l_resnet18"]

    static func modelURL(_ name: String) -> URL {
        repositoryRoot.appendingPathComponent("models/\(name).def")
    }

    static let badDefsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().appendingPathComponent("Inputs/bad-defs")

    let name: String
    var directory: URL { Self.fixturesDirectory.appendingPathComponent(name) }

    func source() throws -> String {
        try String(contentsOf: directory.appendingPathComponent("model.def"), encoding: .utf8)
    }

    /// Every tensor key in `weights.safetensors` except `num_batches_tracked`,
    /// with its shape, read from the JSON header after the 8-byte length.
    func weightShapes() throws -> [String: [Int]] {
        let data = try Data(contentsOf: directory.appendingPathComponent("weights.safetensors"))
        let length = data.prefix(8).reversed().reduce(0) { $0 << 8 | Int($1) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any] ?? [:]
        var shapes: [String: [Int]] = [:]
        for (key, value) in header where key != "__metadata__" && !key.hasSuffix("num_batches_tracked") {
            shapes[key] = (value as? [String: Any])?["shape"] as? [Int]
        }
        return shapes
    }
}
