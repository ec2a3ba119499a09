/// How `WinogradConvolution` cuts a convolution into tasks, and where its
/// scratch goes.
///
/// A task owns a *block* — `rowsPerBlock` rows of tiles of one image — and a
/// range of output-channel panels. It transforms the block's input patches
/// for every input channel into its own V, multiplies, and transforms the
/// products back, so V and M stay in that core's L2 however large the map.
/// The blocking depends on the thread count, the arithmetic does not: every
/// output is the same sum over input channels, in the same order, in any task.
struct WinogradBlocking {
    let geometry: ConvGeometry
    let tile: WinogradTile
    /// Tile rows and columns of one image.
    let tilesH: Int, tilesW: Int
    /// Length of one of the m phases a staged input row is split into (phase
    /// q holds columns q, q+m, …, so the eight tiles' patch column j is one
    /// vector load from phase j mod m).
    let phaseW: Int
    let rowsPerBlock: Int, blocksPerImage: Int
    /// Output-channel panels (6 rows each), and the ranges tasks split them into.
    let panels: Int, panelSplits: Int
    /// Output channels multiplied and transformed back at a time (a multiple of 6).
    let chunk: Int
    /// Row length of V and M: a block's tiles rounded up to 16 floats (the
    /// microkernel's columns); from 64 floats on, an odd number of cache
    /// lines, so rows walked by the microkernel spread over the L1 sets. An
    /// input transform's eight-lane store past a row's last tile lands in the
    /// next channel's row, which is written after it (the last channel's, in
    /// the plane's spare cache line). Measured on one core, 256 channels at
    /// 14x14: rows of 32 floats for 16 tiles made the multiply 15–25% slower.
    let rowLength: Int
    let tasks: Int, workers: Int
    /// Whether the tasks share one V, transformed beforehand by all workers
    /// together, channel range by channel range: a map that is one block
    /// (batch 1, 14×14 and smaller) is split over output channels only, and
    /// each task transforming the whole input for itself would repeat that
    /// work once per split.
    let sharesInput: Bool

    /// Largest V per worker (floats, 640 KiB: about one core's L2).
    static let vBudget = 160 * 1024
    /// The input transform's cost per tile, input channel and position ξ in
    /// the model's units (FMA lanes), staging included: measured on one core,
    /// 14x14 and 28x28 maps.
    static let inputTransformCost = 60
    /// M per worker for one chunk of output channels (floats, 256 KiB).
    static let mBudget = 64 * 1024

    init(geometry g: ConvGeometry, tile: WinogradTile, threads: Int) {
        geometry = g
        self.tile = tile
        let (m, alpha) = (tile.m, tile.alpha)
        tilesH = Self.ceilDiv(g.outH, m)
        tilesW = Self.ceilDiv(g.outW, m)
        phaseW = Self.roundUp(tilesW, 8) + 8
        panels = Self.ceilDiv(g.outChannels, GEMMMicrokernel6x16.mr)
        let workers = max(threads, 1)
        // The (rows per block, panel splits) pair with the shortest modelled
        // schedule — GEMM columns actually computed (16 or 8 at a time), V
        // read back from L2 by each task, the transforms, re-reading U once
        // per task — plus a quarter of the largest task, as the tail a late
        // start leaves (measured: one task per thread on 7x7 512-channel maps
        // ran 25% slower than eight). A shared V's input transform is paid
        // once, spread over the workers.
        let sharedInput = alpha * alpha * tilesH * tilesW * Self.inputTransformCost * g.inChannels / workers
        var best = (cost: Int.max, rows: 1, splits: 1)
        for rows in 1...tilesH {
            if rows > 1 && rows * tilesW * alpha * alpha * g.inChannels > Self.vBudget { break }
            for splits in [1, 2, 3, 4, 6, 8, 12, 16] where splits <= panels {
                let shared = Self.sharesInput(blocks: g.batch * Self.ceilDiv(tilesH, rows), tasks: splits, threads: workers)
                var finish = [Int](repeating: shared ? sharedInput : 0, count: workers)
                var largest = 0
                for _ in 0..<g.batch {
                    for first in stride(from: 0, to: tilesH, by: rows) {
                        let n = min(rows, tilesH - first) * tilesW
                        for s in 0..<splits {
                            let k = 6 * evenPart(panels, s, of: splits).count
                            let cost = alpha * alpha * (Self.computedColumns(n) * g.inChannels * (k + 8)
                                                        + n * ((shared ? 0 : Self.inputTransformCost * g.inChannels) + 20 * k)
                                                        + 2 * g.inChannels * k)
                            let next = finish.indices.min { finish[$0] < finish[$1] } ?? 0
                            finish[next] += cost
                            largest = max(largest, cost)
                        }
                    }
                }
                let cost = (finish.max() ?? 0) + (workers > 1 ? largest / 4 : 0)
                if cost < best.cost { best = (cost, rows, splits) }
            }
        }
        rowsPerBlock = best.rows
        panelSplits = best.splits
        blocksPerImage = Self.ceilDiv(tilesH, rowsPerBlock)
        var row = Self.roundUp(rowsPerBlock * tilesW, 16)
        if row >= 64 && row / 16 % 2 == 0 { row += 16 }
        rowLength = row
        chunk = max(1, Self.mBudget / (alpha * alpha * row) / 6) * 6
        tasks = g.batch * blocksPerImage * panelSplits
        self.workers = min(workers, tasks)
        sharesInput = Self.sharesInput(blocks: g.batch * blocksPerImage, tasks: tasks, threads: workers)
    }

    /// Whether a blocking of `blocks` blocks (all images) in `tasks` tasks on
    /// `threads` threads shares its V: one block that more than one worker splits.
    static func sharesInput(blocks: Int, tasks: Int, threads: Int) -> Bool { blocks == 1 && min(threads, tasks) > 1 }

    /// Tasks that transform a shared V: channel ranges, a few per worker.
    var inputParts: Int { min(geometry.inChannels, 4 * workers) }

    /// The input channels of shared-V task `part`.
    func channels(ofInputPart part: Int) -> Range<Int> { evenPart(geometry.inChannels, part, of: inputParts) }

    /// Floats of one staged row (all its phases).
    var paddedW: Int { tile.m * phaseW }
    /// Floats of one channel's staged rows for a block: its tiles' patches
    /// overlap, so m·rows + 2 input rows.
    var stagedFloats: Int { (tile.m * rowsPerBlock + 2) * paddedW }
    /// Floats of one worker's V and M.
    var vFloats: Int { tile.alpha * tile.alpha * vPlane }
    var mFloats: Int { tile.alpha * tile.alpha * mPlane }
    /// Floats from one position ξ's matrix to the next, in V and in M: one
    /// cache line more than the matrix, so the α² vectors a tile transform
    /// stores or loads (one per ξ) do not all fall in one L1 set when the
    /// matrix is a multiple of 4 KiB.
    var vPlane: Int { geometry.inChannels * rowLength + 16 }
    var mPlane: Int { chunk * rowLength + 16 }
    /// Vectors of one worker's transform temporaries (3α²; with 16 floats
    /// of room to align them to 64 bytes whatever the scratch's alignment).
    var registerVectors: Int { 3 * tile.alpha * tile.alpha }
    /// Floats of one worker's scratch: V unless it is shared, M, the
    /// transform temporaries, staged rows and the zero-padded line a row is
    /// staged through.
    var workerFloats: Int { (sharesInput ? 0 : vFloats) + mFloats + 8 * registerVectors + 16 + stagedFloats + paddedW }
    /// The shared V, if any, then each worker's scratch.
    var scratchFloats: Int { (sharesInput ? vFloats : 0) + workers * workerFloats }

    /// The output channels (whole 6-row panels) of channel split `s`.
    func channels(ofSplit s: Int) -> Range<Int> {
        let panels = evenPart(panels, s, of: panelSplits), mr = GEMMMicrokernel6x16.mr
        return (panels.lowerBound * mr)..<(panels.upperBound * mr)
    }

    /// Columns the microkernels compute for `n` tiles: 16 at a time, the last 8 or 16.
    static func computedColumns(_ n: Int) -> Int {
        let rest = n % 16
        return n - rest + (rest == 0 ? 0 : rest <= 8 ? 8 : 16)
    }

    static func ceilDiv(_ a: Int, _ b: Int) -> Int { (a + b - 1) / b }
    static func roundUp(_ a: Int, _ b: Int) -> Int { ceilDiv(a, b) * b }
}
