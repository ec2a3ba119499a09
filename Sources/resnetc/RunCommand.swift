import Foundation
import GraphIR
import Runtime

/// `resnetc run`: one inference, then top-K classes, an output file, or a profile.
func runCommand(_ arguments: ParsedArguments) throws {
    let path = try arguments.single("MODEL.plan or MODEL.def")
    let top = try arguments.integer("--top") ?? 5
    let labels = try arguments.value("--labels").map { try readText($0).split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
    let plan = try loadPlan(path, arguments)
    let input = try readInput(arguments.value("--input"), for: plan)
    let executor = Executor(plan: plan, threads: try threadCount(arguments))
    // A profile times a warm run: the first one also pays for page faults.
    if arguments.has("--profile") { _ = try executor.run(input) }
    let (outputs, seconds) = try executor.run(input, profile: arguments.has("--profile"))

    if arguments.has("--profile") { print(profileReport(plan, seconds)) }
    if let outputPath = arguments.value("--output") {
        try NPY.write(Tensor(shape: plan.outputs[0].shape, data: outputs[0]), to: outputPath)
        if plan.outputs.count > 1 { printError("note: wrote the first of \(plan.outputs.count) outputs ('\(plan.outputs[0].name)')") }
    }
    for (spec, values) in zip(plan.outputs, outputs) where spec.shape.count == 2 {
        let endsInSoftmax = plan.steps.last { $0.output.location == .output(plan.outputs.firstIndex(of: spec) ?? 0) }?.op == "softmax"
        print(topClasses(spec, values, k: top, labels: labels, alreadyProbabilities: endsInSoftmax), terminator: "")
    }
}

/// The input tensor from `--input` (.npy, .ppm, .pgm), or a synthetic one (with a notice).
func readInput(_ path: String?, for plan: Plan) throws -> [Float] {
    let shape = plan.input.shape
    guard let path else {
        printError("note: no --input given; using a deterministic synthetic input of shape \(shape.bracketed)")
        return syntheticInput(count: plan.input.count)
    }
    let lowered = path.lowercased()
    let tensor: Tensor
    if lowered.hasSuffix(".ppm") || lowered.hasSuffix(".pgm") || lowered.hasSuffix(".pnm") {
        guard shape[0] == 1 else {
            throw FileError(path: path, reason: "an image is one input, but the model takes a batch of \(shape[0])")
        }
        tensor = try ImagePreprocessing.inputTensor(fromImageAt: path, channels: shape[1], height: shape[2], width: shape[3])
    } else {
        tensor = try NPY.read(contentsOf: path)
    }
    let matches = tensor.shape == shape || (tensor.shape.count == 3 && [1] + tensor.shape == shape)
    guard matches else {
        throw FileError(path: path, reason: "input has shape \(tensor.shape.bracketed), the model expects \(shape.bracketed)")
    }
    return tensor.data
}

/// `image 0: 0.4123 class 281 (tabby)` lines, best first.
func topClasses(_ spec: TensorSpec, _ values: [Float], k: Int, labels: [String]?, alreadyProbabilities: Bool) -> String {
    let (n, classes) = (spec.shape[0], spec.shape[1])
    var text = ""
    for image in 0..<n {
        let row = Array(values[(image * classes)..<((image + 1) * classes)])
        let probabilities: [Double]
        if alreadyProbabilities {
            probabilities = row.map(Double.init)
        } else {
            let m = Double(row.max() ?? 0)
            let e = row.map { exp(Double($0) - m) }
            let total = e.reduce(0, +)
            probabilities = e.map { $0 / total }
        }
        text += n > 1 ? "image \(image):\n" : ""
        let best = probabilities.indices.sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
        for c in best.prefix(k) {
            let label = labels.flatMap { c < $0.count ? $0[c] : nil }.map { " \($0)" } ?? ""
            text += String(format: "  %8.5f  class %d", probabilities[c], c) + label + "\n"
        }
    }
    return text
}

/// One line per step: time, share of the total, GFLOP/s; then the total.
func profileReport(_ plan: Plan, _ seconds: [Double]) -> String {
    let total = seconds.reduce(0, +)
    var text = "step".leftPadded(4) + "  " + "name".padded(34) + " " + "kernel".padded(28)
        + "ms".leftPadded(9) + "share".leftPadded(8) + "GFLOP/s".leftPadded(9) + "\n"
    for (i, step) in plan.steps.enumerated() {
        let gflops = seconds[i] > 0 ? 2 * Double(step.macs) / seconds[i] / 1e9 : 0
        text += String(i).leftPadded(4) + "  " + step.name.padded(34) + " " + step.kernel.name.padded(28)
            + String(format: "%9.3f %6.1f%% %8.1f", seconds[i] * 1e3, total > 0 ? 100 * seconds[i] / total : 0, gflops) + "\n"
    }
    text += String(format: "total %.3f ms, %.1f GFLOP/s", total * 1e3, total > 0 ? 2 * Double(plan.macs) / total / 1e9 : 0)
    return text
}

extension String {
    /// Left-aligned in a column of `width` (never truncated).
    func padded(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
    /// Right-aligned in a column of `width`.
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
