import GraphIR
import Passes
import Testing

@Suite struct FuseEpilogueTests {
    @Test func basicBlockAddAndReLUFuseIntoSecondConv() throws {
        var graph = try boundGraph("""
            input x shape=1x8x8x8
            block basic b x out=8
            output b
            """)
        (graph, _) = try runPass(FoldBatchNorm(), on: graph)
        let (after, statistics) = try runPass(FuseEpilogue(), on: graph)
        #expect(opKeywords(after) == ["conv", "conv"])
        #expect(statistics["fused-add"] == 1)
        #expect(statistics["fused-relu"] == 2)
        let conv2 = after[try #require(after.id(named: "b.conv2"))]
        #expect(conv2.epilogue == Epilogue(addsResidual: true, relu: true))
        #expect(conv2.fused == ["bn", "add", "relu"])
        #expect(conv2.inputs.last == after.inputID)
    }

    @Test func projectionShortcutTakesTheAddWhenComputedLast() throws {
        var graph = try boundGraph("""
            input x shape=1x4x8x8
            block basic b x out=8 stride=2
            output b
            """)
        (graph, _) = try runPass(FoldBatchNorm(), on: graph)
        let (after, statistics) = try runPass(FuseEpilogue(), on: graph)
        #expect(statistics["fused-add"] == 1)
        #expect(opKeywords(after) == ["conv", "conv", "conv"])
        // Exactly one conv reads a residual, and it runs last.
        let fused = after.nodes.filter(\.epilogue.addsResidual)
        #expect(fused.count == 1)
        #expect(after.nodes.last?.epilogue.addsResidual == true)
    }

    @Test func addOfTwoNonConvsKeepsTheAddButFusesTheReLU() throws {
        let graph = try boundGraph("""
            input x shape=1x2x6x6
            maxpool p x kernel=3 stride=1 pad=1
            add a p x
            relu r a
            output r
            """)
        let (after, statistics) = try runPass(FuseEpilogue(), on: graph)
        #expect(opKeywords(after) == ["maxpool", "add"])
        #expect(statistics["fused-relu"] == 1)
    }

    @Test func reluAfterPoolIsNotFused() throws {
        let graph = try boundGraph("""
            input x shape=1x2x6x6
            maxpool p x kernel=2
            relu r p
            output r
            """)
        let (after, _) = try runPass(FuseEpilogue(), on: graph)
        #expect(opKeywords(after) == ["maxpool", "relu"])
    }

    @Test func convWithReLUIsNotGivenAResidual() throws {
        // relu(conv) + x must stay relu-then-add.
        let graph = try boundGraph("""
            input x shape=1x2x6x6
            conv c x out=2 kernel=3 pad=1
            relu r c
            add a r x
            output a
            """)
        var after = graph
        var statistics = PassStatistics()
        try FuseEpilogue().run(&after, &statistics)
        #expect(statistics["fused-add"] == 0)
        #expect(opKeywords(after) == ["conv", "add"])
    }

    @Test func batchNormAfterAResidualAddRunsInTheConvEpilogue() throws {
        // A pre-activation block whose output feeds only the next BN (+ ReLU):
        // that BN scales and shifts in the fused conv's epilogue.
        var graph = try boundGraph("""
            input x shape=1x8x8x8
            block preact_basic b x out=8
            bn final b
            relu r final
            output r
            """)
        (graph, _) = try runPass(FoldBatchNorm(), on: graph)
        let (after, statistics) = try runPass(FuseEpilogue(), on: graph)
        #expect(statistics["fused-affine"] == 1)
        let last = try #require(after.nodes.last)
        #expect(last.epilogue == Epilogue(addsResidual: true, scaleShift: true, relu: true))
        #expect(last.fused == ["add", "bn", "relu"])
        #expect(opKeywords(after) == ["affine", "conv", "conv"])
    }

    @Test func affineReadTwiceStaysStandalone() throws {
        // The block output is also the next block's identity shortcut.
        var graph = try boundGraph("""
            input x shape=1x8x8x8
            block preact_basic b0 x out=8
            block preact_basic b1 b0 out=8
            output b1
            """)
        (graph, _) = try runPass(FoldBatchNorm(), on: graph)
        let (after, statistics) = try runPass(FuseEpilogue(), on: graph)
        #expect(statistics["fused-affine"] == 0)
        #expect(opKeywords(after).filter { $0 == "affine" }.count == 2)
    }
}
