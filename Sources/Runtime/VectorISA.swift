import Foundation

/// The vector instructions the convolution kernels use.
///
/// Both give the same bits: every output element takes the same FMAs in the
/// same order whichever microkernel computes it, so a plan's outputs do not
/// depend on the processor it runs on.
public enum VectorISA: String, Sendable {
    /// AVX2 + FMA: `GEMMMicrokernel6x16` for every tile.
    case avx2
    /// AVX-512: `GEMMMicrokernel6x64` (module `RuntimeAVX512`) for the 1x1
    /// GEMM's and the pixel panels' full tiles, four 16-column panels at a
    /// time; `GEMMMicrokernel6x16` for the rest.
    case avx512

    /// What this process runs with: AVX-512 when the processor and the
    /// kernel support it (Linux lists `avx512f`, `cd`, `bw`, `dq` and `vl`
    /// in /proc/cpuinfo only then), unless `RESNETC_ISA=avx2` asks for AVX2.
    public static let host: VectorISA = {
        if ProcessInfo.processInfo.environment["RESNETC_ISA"] == "avx2" { return .avx2 }
        guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return .avx2 }
        let present = Set(flags.split(separator: " "))
        let needed = ["avx512f", "avx512cd", "avx512bw", "avx512dq", "avx512vl"]
        return needed.allSatisfy { present.contains(Substring($0)) } ? .avx512 : .avx2
    }()
}
