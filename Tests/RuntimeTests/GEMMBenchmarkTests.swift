import Foundation
import Testing
@testable import Runtime

/// Hand-run benchmark of `PackedConvolution` on ResNet-50's convolution
/// shapes. Does nothing unless `RESNETC_KERNEL_BENCH=1`; run it in release:
///
///     RESNETC_KERNEL_BENCH=1 swift test -c release -Xswiftc -enable-testing --filter GEMMBenchmarkTests
///
/// Prints GFLOP/s at 1 and 2 threads; asserts only that outputs are finite.
@Suite struct GEMMBenchmarkTests {
    @Test func resnet50Shapes() {
        guard ProcessInfo.processInfo.environment["RESNETC_KERNEL_BENCH"] == "1" else { return }
        let shapes: [(String, ConvolutionCase)] = [
            ("1x1 256->64 56x56", ConvolutionCase(inChannels: 256, outChannels: 64, inH: 56, inW: 56, kernelH: 1, kernelW: 1)),
            ("3x3 64->64 56x56", ConvolutionCase(inChannels: 64, outChannels: 64, inH: 56, inW: 56,
                                                 padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
            ("1x1 64->256 56x56", ConvolutionCase(inChannels: 64, outChannels: 256, inH: 56, inW: 56, kernelH: 1, kernelW: 1)),
            ("3x3 128->128 28x28", ConvolutionCase(inChannels: 128, outChannels: 128, inH: 28, inW: 28,
                                                   padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
            ("3x3 256->256 14x14", ConvolutionCase(inChannels: 256, outChannels: 256, inH: 14, inW: 14,
                                                   padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
            ("3x3 512->512 7x7", ConvolutionCase(inChannels: 512, outChannels: 512, inH: 7, inW: 7,
                                                 padTop: 1, padLeft: 1, padBottom: 1, padRight: 1)),
            ("1x1 2048->512 7x7", ConvolutionCase(inChannels: 2048, outChannels: 512, inH: 7, inW: 7, kernelH: 1, kernelW: 1)),
            ("1x1/2 256->512 56x56", ConvolutionCase(inChannels: 256, outChannels: 512, inH: 56, inW: 56, kernelH: 1, kernelW: 1,
                                                     strideH: 2, strideW: 2)),
            ("7x7/2 3->64 224x224", ConvolutionCase(inChannels: 3, outChannels: 64, inH: 224, inW: 224, kernelH: 7, kernelW: 7,
                                                    strideH: 2, strideW: 2, padTop: 3, padLeft: 3, padBottom: 3, padRight: 3)),
        ]
        for (name, c) in shapes {
            var line = name.padding(toLength: 22, withPad: " ", startingAt: 0)
            for threads in [1, 2] {
                let gflops = Self.measure(c.geometry, threads: threads)
                let ceiling = 117.0 * Double(threads)
                line += String(format: "  %dT %6.1f GFLOP/s (%3.0f%%)", threads, gflops, 100 * gflops / ceiling)
            }
            print(line)
        }
    }

    /// Best-of-N GFLOP/s of one convolution (bias, ReLU on).
    static func measure(_ g: ConvGeometry, threads: Int) -> Double {
        let k = g.inChannels / g.groups * g.kernelH * g.kernelW
        let weights = (0..<(g.outChannels * k)).map { Float($0 % 7) * 0.01 }
        let packed = PackedConvolution.packWeights(weights, geometry: g)
        let input = (0..<(g.batch * g.inChannels * g.inH * g.inW)).map { Float($0 % 5) * 0.1 }
        let bias = [Float](repeating: 0.5, count: g.outChannels)
        var output = [Float](repeating: 0, count: g.batch * g.outChannels * g.outH * g.outW)
        var scratch = [Float](repeating: 0, count: PackedConvolution.scratchFloats(geometry: g, threads: threads))
        let flops = 2.0 * Double(g.macs)
        let repeats = max(3, Int(2e9 / flops))
        var best = Double.infinity
        for _ in 0..<(repeats + 1) {
            let start = DispatchTime.now().uptimeNanoseconds
            packed.withUnsafeBufferPointer { w in
                bias.withUnsafeBufferPointer { b in
                    input.withUnsafeBufferPointer { x in
                        output.withUnsafeMutableBufferPointer { y in
                            scratch.withUnsafeMutableBufferPointer { s in
                                PackedConvolution.run(geometry: g, packedWeights: w.baseAddress!, bias: b.baseAddress,
                                                      input: x.baseAddress!, residual: nil, relu: true,
                                                      output: y.baseAddress!, scratch: s.baseAddress!, threads: threads)
                            }
                        }
                    }
                }
            }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start))
        }
        let finite = output.allSatisfy { $0.isFinite }
        #expect(finite)
        return flops / best
    }
}
