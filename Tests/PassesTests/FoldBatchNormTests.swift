import GraphIR
import Passes
import Testing

@Suite struct FoldBatchNormTests {
    @Test func convFollowedByBatchNormBecomesOneConvWithBias() throws {
        let graph = try boundGraph("""
            input x shape=1x3x8x8
            conv c x out=4 kernel=3 pad=1
            bn b c
            output b
            """)
        // The bn is the output, the conv is not: it folds.
        let (after, statistics) = try runPass(FoldBatchNorm(), on: graph)
        #expect(opKeywords(after) == ["conv"])
        #expect(statistics["folded-into-conv"] == 1)
        let conv = after[try #require(after.id(named: "c"))]
        #expect(conv.parameters["bias"]?.shape == [4])
        #expect(conv.fused == ["bn"])
        #expect(after.outputs == [try #require(after.id(named: "c"))])
    }

    @Test func convWithBiasKeepsItsBiasScaled() throws {
        let graph = try boundGraph("""
            input x shape=1x2x6x6
            conv c x out=3 kernel=1 bias=true
            bn b c eps=0.001
            relu r b
            output r
            """)
        let (after, _) = try runPass(FoldBatchNorm(), on: graph)
        #expect(opKeywords(after) == ["conv", "relu"])
    }

    @Test func batchNormAfterAddBecomesAffine() throws {
        let graph = try boundGraph("""
            input x shape=1x4x6x6
            conv c x out=4 kernel=3 pad=1
            add a c x
            bn b a
            relu r b
            output r
            """)
        let (after, statistics) = try runPass(FoldBatchNorm(), on: graph)
        #expect(opKeywords(after) == ["conv", "add", "affine", "relu"])
        #expect(statistics["became-affine"] == 1)
    }

    @Test func convReadTwiceDoesNotFold() throws {
        let graph = try boundGraph("""
            input x shape=1x2x6x6
            conv c x out=2 kernel=3 pad=1
            bn b c
            add a b c
            output a
            """)
        let (after, _) = try runPass(FoldBatchNorm(), on: graph)
        #expect(opKeywords(after) == ["conv", "affine", "add"])
    }
}
