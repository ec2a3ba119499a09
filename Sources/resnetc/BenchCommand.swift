import Foundation
import Runtime

/// `resnetc bench`: latency median/p10/p90 over `--runs`, images/s, GFLOP/s.
func benchCommand(_ arguments: ParsedArguments) throws {
    let path = try arguments.single("MODEL.plan or MODEL.def")
    let batch = try arguments.integer("--batch")
    let warmup = try arguments.integer("--warmup", minimum: 0) ?? 3
    let runs = try arguments.integer("--runs") ?? 20
    let threads = try threadCount(arguments)
    let plan = try loadPlan(path, arguments, batch: batch)
    if let batch, batch != plan.input.shape[0] {
        throw FileError(path: path, reason: "plan was compiled for batch \(plan.input.shape[0]), not \(batch); recompile with 'resnetc compile --batch \(batch)'")
    }
    let executor = Executor(plan: plan, threads: threads)
    let input = syntheticInput(count: plan.input.count)
    for _ in 0..<warmup { _ = try executor.run(input) }
    var milliseconds: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        _ = try executor.run(input)
        milliseconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    let sorted = milliseconds.sorted()
    let median = sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    let p10 = sorted[Int(0.1 * Double(sorted.count - 1))], p90 = sorted[Int(0.9 * Double(sorted.count - 1))]
    let imagesPerSecond = Double(plan.input.shape[0]) / (median / 1e3)
    let gflops = 2 * Double(plan.macs) / (median / 1e3) / 1e9
    print("\(plan.modelName): batch \(plan.input.shape[0]), \(threads) threads, \(runs) runs (\(warmup) warm-up), "
          + "\(VectorISA.host.rawValue) kernels")
    print(String(format: "latency median %.3f ms  p10 %.3f ms  p90 %.3f ms", median, p10, p90))
    print(String(format: "throughput %.2f images/s  %.1f GFLOP/s", imagesPerSecond, gflops))
    print("arena \(grouped(plan.arenaBytes)) B, weights \(grouped(plan.weights.count * 4)) B")
    if arguments.has("--json") {
        let object: [String: Any] = [
            "model": plan.modelName, "batch": plan.input.shape[0], "threads": threads, "runs": runs,
            "median_ms": round3(median), "p10_ms": round3(p10), "p90_ms": round3(p90),
            "img_per_s": round3(imagesPerSecond), "gflops": round3(gflops),
            "arena_bytes": plan.arenaBytes, "weight_bytes": plan.weights.count * 4, "macs": plan.macs,
            "kernels": VectorISA.host.rawValue,
        ]
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        print(String(decoding: data, as: UTF8.self))
    }
}

private func round3(_ x: Double) -> Double { (x * 1000).rounded() / 1000 }
