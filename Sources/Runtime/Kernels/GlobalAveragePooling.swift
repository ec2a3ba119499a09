/// [N, C, H, W] → [N, C]: each plane's sum, in memory order, divided by H·W.
/// Tasks are blocks of `planesPerTask` planes. Never reads its output.
enum GlobalAveragePooling {
    static let planesPerTask = 16

    static func run(planes: Int, planeSize: Int, input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>,
                    threads: Int) {
        let divisor = Float(planeSize)
        parallelFor((planes + planesPerTask - 1) / planesPerTask, threads: threads) { task in
            for plane in (task &* planesPerTask)..<min(planes, (task &+ 1) &* planesPerTask) {
                let source = input + plane &* planeSize
                var sum: Float = 0
                for i in 0..<planeSize { sum += source[i] }
                output[plane] = sum / divisor
            }
        }
    }
}
