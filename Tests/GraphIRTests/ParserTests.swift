import Foundation
import Testing
@testable import GraphIR

@Suite struct ParserTests {
    /// Every parameter key of every fixture's safetensors, with its shape, is
    /// what the expanded graph asks for, and nothing more.
    @Test(arguments: Fixture.names) func expansionMatchesFixtureWeights(_ name: String) throws {
        let fixture = Fixture(name: name)
        let graph = try ModelParser.parse(try fixture.source(), file: "model.def")
        var wanted: [String: [Int]] = [:]
        for id in graph.ids {
            for (suffix, shape) in graph[id].parameterShapes(operands: graph.operandShapes(id)) {
                wanted["\(graph[id].name).\(suffix)"] = shape
            }
        }
        #expect(wanted == (try fixture.weightShapes()))
    }

    @Test func parsesEveryLayerFormWithDefaults() throws {
        let graph = try ModelParser.parse("""
            input x shape=2x4x16x16   # comment
            conv a x out=8 kernel=3
            conv b a out=8 kernel=1x7 stride=2x1 pad=same dilation=2 groups=2 bias=true
            conv c b out=8 kernel=3 stride=2 pad=1,0,2,1 dilation=1x2
            bn d c eps=1e-05
            bn e d
            relu f e
            add g f e
            maxpool h g kernel=2 pad=same
            avgpool i h kernel=2x1 stride=1
            flatten j i
            fc k j out=5 bias=false
            fc l k out=3
            softmax m l
            globalavgpool n c
            output m
            output n
            """, file: "t.def")
        #expect(graph.nodes.map(\.op) == [
            .input(shape: [2, 4, 16, 16]),
            .conv(ConvAttributes(outChannels: 8, kernel: Pair(3))),
            .conv(ConvAttributes(outChannels: 8, kernel: Pair(1, 7), stride: Pair(2, 1), padding: .same,
                                 dilation: Pair(2), groups: 2, bias: true)),
            .conv(ConvAttributes(outChannels: 8, kernel: Pair(3), stride: Pair(2),
                                 padding: .explicit(Insets(top: 1, left: 0, bottom: 2, right: 1)), dilation: Pair(1, 2))),
            .batchNorm(epsilon: 1e-5), .batchNorm(epsilon: 1e-5), .relu, .add,
            .maxPool(PoolAttributes(kernel: Pair(2), stride: Pair(2), padding: .same)),
            .avgPool(PoolAttributes(kernel: Pair(2, 1), stride: Pair(1))),
            .flatten, .fc(outFeatures: 5, bias: false), .fc(outFeatures: 3, bias: true), .softmax, .globalAvgPool,
        ])
        #expect(graph.nodes.map(\.shape) == [
            [2, 4, 16, 16], [2, 8, 14, 14], [2, 8, 7, 14], [2, 8, 4, 6], [2, 8, 4, 6], [2, 8, 4, 6], [2, 8, 4, 6],
            [2, 8, 4, 6], [2, 8, 2, 3], [2, 8, 1, 3], [2, 24], [2, 5], [2, 3], [2, 3], [2, 8],
        ])
        #expect(graph.outputs == [ValueID(13), ValueID(14)])
        #expect(graph[ValueID(2)].location == SourceLocation(file: "t.def", line: 3, column: 1))
        #expect(graph[ValueID(2)].sourceLine == "conv b a out=8 kernel=1x7 stride=2x1 pad=same dilation=2 groups=2 bias=true")
    }

    @Test func basicBlockExpandsToTorchvisionNames() throws {
        let graph = try ModelParser.parse("""
            input x shape=1x8x8x8
            block basic b x out=16 stride=2
            output b
            """, file: "t.def")
        #expect(graph.nodes.map { "\($0.op.keyword) \($0.name)" } == [
            "input x", "conv b.conv1", "bn b.bn1", "relu b.relu1", "conv b.conv2", "bn b.bn2",
            "conv b.downsample.0", "bn b.downsample.1", "add b.add", "relu b",
        ])
        #expect(graph[ValueID(8)].inputs == [ValueID(5), ValueID(7)])
        #expect(graph.nodes.dropFirst().allSatisfy { $0.location == SourceLocation(file: "t.def", line: 2, column: 1) })
    }

    @Test func bottleneckStrideOnChoosesTheConv() throws {
        func strides(_ strideOn: String) throws -> [Pair] {
            let graph = try ModelParser.parse("""
                input x shape=1x8x8x8
                block bottleneck b x width=4 out=8 stride=2 groups=2 \(strideOn)
                output b
                """, file: "t.def")
            return graph.nodes.compactMap { if case .conv(let a) = $0.op { a.stride } else { nil } }
        }
        // conv1, conv2, conv3, downsample.0
        #expect(try strides("") == [Pair(1), Pair(2), Pair(1), Pair(2)])
        #expect(try strides("stride_on=3x3") == [Pair(1), Pair(2), Pair(1), Pair(2)])
        #expect(try strides("stride_on=1x1") == [Pair(2), Pair(1), Pair(1), Pair(2)])
    }

    @Test func bottleneckWithoutProjectionAddsTheInput() throws {
        let graph = try ModelParser.parse("""
            input x shape=1x8x8x8
            block bottleneck b x width=4 out=8
            output b
            """, file: "t.def")
        #expect(graph.nodes.map(\.name) == [
            "x", "b.conv1", "b.bn1", "b.relu1", "b.conv2", "b.bn2", "b.relu2", "b.conv3", "b.bn3", "b.add", "b",
        ])
        #expect(graph[graph.id(named: "b.add")!].inputs == [graph.id(named: "b.bn3")!, ValueID(0)])
    }

    @Test func preactBlocksShortcutFromThePreactivatedInput() throws {
        let graph = try ModelParser.parse("""
            input x shape=1x8x8x8
            block preact_basic p x out=8
            block preact_bottleneck q p width=4 out=16 stride=2
            output q
            """, file: "t.def")
        #expect(graph.nodes.map(\.name) == [
            "x", "p.bn1", "p.relu1", "p.conv1", "p.bn2", "p.relu2", "p.conv2", "p",
            "q.bn1", "q.relu1", "q.conv1", "q.bn2", "q.relu2", "q.conv2", "q.bn3", "q.relu3", "q.conv3", "q.shortcut", "q",
        ])
        #expect(graph[graph.id(named: "p")!].inputs == [graph.id(named: "p.conv2")!, ValueID(0)])
        #expect(graph[graph.id(named: "q.shortcut")!].inputs == [graph.id(named: "q.relu1")!])
        #expect(graph[graph.id(named: "q")!].shape == [1, 16, 4, 4])
    }

    @Test func stageNameRefersToItsLastBlock() throws {
        let graph = try ModelParser.parse("""
            input x shape=1x4x8x8
            stage basic layer1 x blocks=3 out=8 stride=2
            relu r layer1
            output r
            """, file: "t.def")
        let r = try #require(graph.id(named: "r"))
        #expect(graph[graph[r].inputs[0]].name == "layer1.2")
        #expect(graph.id(named: "layer1.1.downsample.0") == nil)
        #expect(graph.id(named: "layer1.0.downsample.0") != nil)
        #expect(graph[graph.id(named: "layer1.0.conv1")!].op
                == .conv(ConvAttributes(outChannels: 8, kernel: Pair(3), stride: Pair(2), padding: .explicit(Insets(1)))))
    }

    @Test func lexerGivesColumnsAndSplitsAttributes() {
        let tokens = Lexer.tokens(in: "\tconv  c x out=8 # pad=1", line: 4, file: "f")
        #expect(tokens.map(\.kind) == [.word("conv"), .word("c"), .word("x"), .attribute(key: "out", value: "8")])
        #expect(tokens.map(\.location.column) == [2, 8, 10, 12])
        #expect(tokens[3].valueLocation == SourceLocation(file: "f", line: 4, column: 16))
    }

    @Test(arguments: Fixture.models) func modelParses(_ name: String) throws {
        let graph = try ModelParser.parse(try String(contentsOf: Fixture.modelURL(name), encoding: .utf8), file: name)
        #expect(graph.verify().isEmpty)
        let classes = name == "d2l_resnet18" ? 10 : 1000
        #expect(graph.outputs.map { graph[$0].shape } == [[1, classes]])
    }
}
