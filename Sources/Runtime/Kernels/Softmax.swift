import Foundation

/// Softmax over the last dimension: per row, `exp(x − max) / Σ exp(x − max)`
/// (numerically stable). Tasks are rows. Works in place: each element is
/// read before its own slot is written.
enum Softmax {
    static func run(rows: Int, length: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                    threads: Int) {
        parallelFor(rows, threads: threads) { row in
            let x = input + row &* length, y = output + row &* length
            var largest = -Float.infinity
            for i in 0..<length { largest = max(largest, x[i]) }
            var sum: Float = 0
            for i in 0..<length {
                let e = exp(x[i] - largest)
                y[i] = e
                sum += e
            }
            for i in 0..<length { y[i] /= sum }
        }
    }
}
