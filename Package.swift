// swift-tools-version:6.0
import PackageDescription

/// The CPU every optimized build targets. Without a target CPU, `SIMD16<Float>`
/// arithmetic lowers to scalar code and `addProduct` to a libm `fmaf` call per
/// lane (measured: 0.8 vs 113 GFLOP/s for the same microkernel). `haswell`
/// (AVX2 + FMA) runs on every x86-64 machine we deploy to, including the AMD
/// Zen machines CI uses; `native` would bake in the build machine's CPU.
let targetCPU = "haswell"

/// The CPU the AVX-512 microkernels are built for: its AVX-512 subset
/// (F, CD, BW, DQ, VL) is what every AVX-512 processor has, Zen 4 included.
/// `Runtime` calls into that module only after checking the processor.
let avx512CPU = "skylake-avx512"

/// Kernels: no bounds or exclusivity checks, vector code for `cpu`.
func kernelSettings(cpu: String = targetCPU) -> [SwiftSetting] {
    [
        .unsafeFlags(["-Ounchecked", "-enforce-exclusivity=unchecked"], .when(configuration: .release)),
        .unsafeFlags(["-target-cpu", cpu]),
    ]
}

let package = Package(
    name: "resnetc",
    products: [
        .executable(name: "resnetc", targets: ["resnetc"]),
    ],
    targets: [
        .target(name: "GraphIR", swiftSettings: [.unsafeFlags(["-target-cpu", targetCPU])]),
        // Wrappers of LLVM intrinsics, which only `-parse-stdlib` code can
        // name, and the vector helpers both kernel modules share; inlined
        // into the kernels, so they cost nothing at run time.
        .target(name: "RuntimeIntrinsics", path: "Sources/Runtime/Intrinsics",
                swiftSettings: [.unsafeFlags(["-parse-stdlib"])]),
        // Microkernels for AVX-512's 32 registers, in a module of their own
        // because Swift has no per-function target attribute.
        .target(name: "RuntimeAVX512", dependencies: ["RuntimeIntrinsics"], path: "Sources/Runtime/AVX512",
                swiftSettings: kernelSettings(cpu: avx512CPU)),
        .target(name: "Runtime", dependencies: ["RuntimeIntrinsics", "RuntimeAVX512"], exclude: ["Intrinsics", "AVX512"],
                swiftSettings: kernelSettings()),
        .target(name: "Passes", dependencies: ["GraphIR", "Runtime"], swiftSettings: kernelSettings()),
        .executableTarget(name: "resnetc", dependencies: ["GraphIR", "Passes", "Runtime"]),
        .testTarget(name: "GraphIRTests", dependencies: ["GraphIR"], exclude: ["Inputs"]),
        .testTarget(name: "RuntimeTests", dependencies: ["Runtime"]),
        .testTarget(name: "PassesTests", dependencies: ["GraphIR", "Passes", "Runtime"]),
        .testTarget(name: "ResnetcTests", dependencies: ["GraphIR", "Passes", "Runtime"]),
    ]
)
