import RuntimeAVX512

/// How `PackedConvolution` cuts one image's convolution into GEMM blocks and
/// parallel tasks, and where its scratch space goes.
///
/// Per group, the GEMM is `C[M×N] = A[M×K] · B[K×N]` with M = output channels
/// of the group, N = output pixels, K = input channels of the group · kH · kW.
/// A task owns an `mc × nc` output block (never a share of K), so the
/// summation order of every output — K blocks of `kc`, each summed in
/// increasing k — is the same for any thread count. Block edges are multiples
/// of MR and NR, so whether an output falls in a partial register tile does
/// not depend on the thread count either.
struct ConvTiling {
    /// Largest K block: a 16 × 320 B micro-panel (20 KiB) stays in L1.
    static let kcMax = 320
    /// Largest output-channel block (24 A panels, 180 KiB at kc = 320, in L2).
    static let mcMax = 144
    /// Largest pixel block (12 B panels).
    static let ncMax = 192
    /// Floats of slack before and after the padded input copy, so masked
    /// vector loads past a row's ends stay inside scratch.
    static let slack = 64

    let geometry: ConvGeometry
    /// Rows (output channels) and columns (pixels) of one group's GEMM. For
    /// an `indirect` convolution the columns are virtual pixels over padded
    /// rows: `virtualWidth` per output row, the last `virtualWidth − outW` of
    /// each row computed and discarded.
    let m: Int, n: Int, k: Int
    /// Output pixels of one image (the row stride of C between channels).
    let pixels: Int
    /// Virtual pixels per output row (`outW` unless `indirect`).
    let virtualWidth: Int
    let kc: Int, mc: Int, nc: Int
    let mBlocks: Int, nBlocks: Int
    /// Tasks per image: groups · mBlocks · nBlocks.
    let tasks: Int
    let workers: Int
    /// 1x1, stride 1, no padding: B is the input itself.
    let pointwise: Bool
    /// 1x1 without padding but strided: B is a subsampled copy of the input.
    let subsampled: Bool
    /// Not 1x1: B is read in place from a zero-padded, polyphase copy of
    /// the input through a per-k offset table (virtual pixels, see `n`).
    let indirect: Bool
    /// Rows and columns of the zero-padded input.
    let paddedH: Int, paddedW: Int
    /// Rows and columns of one phase plane of the polyphase copy: the padded
    /// input's rows `ph, ph+s, …` and columns `pw, pw+s, …` for stride s.
    let phaseH: Int, phaseW: Int

    init(geometry g: ConvGeometry, threads: Int) {
        geometry = g
        let mr = GEMMMicrokernel6x16.mr, nr = GEMMMicrokernel6x16.nr
        let oneByOne = g.kernelH == 1 && g.kernelW == 1 && g.padTop == 0 && g.padLeft == 0
        pointwise = oneByOne && g.strideH == 1 && g.strideW == 1
        subsampled = oneByOne && !pointwise
        indirect = !oneByOne
        paddedH = max(g.inH + g.padTop, (g.outH - 1) * g.strideH + (g.kernelH - 1) * g.dilationH + 1)
        paddedW = max(g.inW + g.padLeft, (g.outW - 1) * g.strideW + (g.kernelW - 1) * g.dilationW + 1)
        phaseH = Self.ceilDiv(paddedH, g.strideH)
        phaseW = Self.ceilDiv(paddedW, g.strideW)
        virtualWidth = indirect ? phaseW : g.outW
        pixels = g.outH * g.outW
        let m = g.outChannels / g.groups, n = (g.outH - 1) * virtualWidth + g.outW
        let k = g.inChannels / g.groups * g.kernelH * g.kernelW
        self.m = m; self.n = n; self.k = k
        kc = Self.ceilDiv(k, Self.ceilDiv(k, Self.kcMax))
        var mc = min(Self.roundUp(m, mr), Self.mcMax)
        var nc = min(Self.roundUp(n, nr), Self.ncMax)
        // Even blocks (a small last block would leave a thread idle).
        mc = Self.roundUp(Self.ceilDiv(m, Self.ceilDiv(m, mc)), mr)
        nc = Self.roundUp(Self.ceilDiv(n, Self.ceilDiv(n, nc)), nr)
        // Split until there are 16 tasks per thread (fewer if blocks would
        // shrink below 4 panels of pixels and one of channels). Measured on
        // ResNet layers: 4 per thread leaves one core idle at the end of a
        // conv and blocks too large for L2; 16 was best at 1 and 2 threads
        // (2 threads, 3x3 64ch 56x56: 128 -> 158 GFLOP/s).
        let target = 16 * threads
        let count = { (mc: Int, nc: Int) in g.groups * Self.ceilDiv(m, mc) * Self.ceilDiv(n, nc) }
        while count(mc, nc) < target {
            let mBlocks = Self.ceilDiv(m, mc), nBlocks = Self.ceilDiv(n, nc)
            if nc > 4 * nr { nc = min(Self.roundUp(Self.ceilDiv(n, nBlocks + 1), nr), nc - nr) }
            else if mc > mr { mc = min(Self.roundUp(Self.ceilDiv(m, mBlocks + 1), mr), mc - mr) }
            else if nc > nr { nc = min(Self.roundUp(Self.ceilDiv(n, nBlocks + 1), nr), nc - nr) }
            else { break }
        }
        // Whole groups of the AVX-512 kernel's four panels: a 96-pixel block
        // ran one 64-pixel call and two 16-pixel ones. Rounding down to 64
        // makes more, smaller tasks. Measured, ResNet-50 on 2 threads
        // (paired, per step): the 96-pixel steps 0.95–0.98, batch 8 0.954
        // end to end.
        let group = GEMMMicrokernel6x64.panels * nr
        if nc > group { nc = nc / group * group }
        self.mc = mc; self.nc = nc
        mBlocks = Self.ceilDiv(m, mc); nBlocks = Self.ceilDiv(n, nc)
        tasks = g.groups * mBlocks * nBlocks
        workers = max(1, min(threads, tasks))
    }

    /// Floats of the shared input copy (one image), including slack, and
    /// of an indirect convolution's offset table (one Int32 per k).
    var inputCopyFloats: Int {
        if pointwise { return 0 }
        if subsampled { return geometry.inChannels * n }
        return geometry.inChannels * geometry.strideH * geometry.strideW * phaseH * phaseW + 2 * Self.slack + k
    }

    /// Floats of one worker's packed B block, for a flat B: the task's
    /// pixel block over all of K (`PackedConvolution.TaskScratch`), so the
    /// worker's next task on the same pixels reuses it.
    var packedBlockFloats: Int { indirect ? 0 : k * nc }

    /// Floats of one worker's packed B block, its packed 16-pixel panel
    /// (one K block), its edge tile, and for an indirect convolution its
    /// virtual C block (`mc × nc`).
    var workerFloats: Int {
        let (mr, nr) = (GEMMMicrokernel6x16.mr, GEMMMicrokernel6x16.nr)
        return packedBlockFloats + (kc + mr) * nr + (indirect ? mc * nc : 0)
    }

    /// Total scratch floats.
    var scratchFloats: Int { inputCopyFloats + workers * workerFloats }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    static func roundUp(_ a: Int, _ b: Int) -> Int { ceilDiv(a, b) * b }
}
