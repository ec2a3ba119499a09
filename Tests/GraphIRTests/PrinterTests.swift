import Foundation
import Testing
@testable import GraphIR

@Suite struct PrinterTests {
    static let sources: [(String, String)] = {
        let models = Fixture.models.map { ($0, (try? String(contentsOf: Fixture.modelURL($0), encoding: .utf8)) ?? "") }
        let fixtures = Fixture.names.map { ($0, (try? Fixture(name: $0).source()) ?? "") }
        return models + fixtures
    }()

    @Test(arguments: sources.map(\.0)) func printedDefReparsesToTheSameGraph(_ name: String) throws {
        let source = try #require(Self.sources.first { $0.0 == name }?.1)
        let graph = try ModelParser.parse(source, file: name)
        let printed = graph.defText()
        let reparsed = try ModelParser.parse(printed, file: "printed.def")
        #expect(reparsed == graph)
        #expect(reparsed.verify().isEmpty)
        #expect(reparsed.defText() == printed)
    }

    @Test func printsOnlyNonDefaultAttributes() throws {
        let source = """
            input x shape=1x3x30x30
            conv a x out=8 kernel=3 stride=2 pad=same
            conv b a out=8 kernel=3x1 pad=2,1,0,1 dilation=2 groups=2 bias=true
            bn c b eps=0.001
            bn d c
            maxpool e d kernel=3 stride=2 pad=1
            avgpool f e kernel=2
            flatten h f
            fc g h out=10 bias=false
            output g
            """
        #expect(try ModelParser.parse(source, file: "t").defText() == source + "\n")
    }

    @Test func printsStageReferencesAsTheLastBlock() throws {
        let graph = try ModelParser.parse("""
            input x shape=1x4x8x8
            stage basic layer1 x blocks=2 out=4
            relu r layer1
            output r
            """, file: "t")
        #expect(graph.defText().hasSuffix("relu layer1.1 layer1.1.add\nrelu r layer1.1\noutput r\n"))
    }

    @Test func printsFusedNodesReadably() {
        var graph = Graph()
        graph.append(Node(name: "x", op: .input(shape: [1, 4, 4, 4]), inputs: []))
        graph.append(Node(name: "c", op: .conv(ConvAttributes(outChannels: 4, kernel: Pair(1))),
                          inputs: [ValueID(0), ValueID(0)], epilogue: Epilogue(addsResidual: true, relu: true)))
        graph.append(Node(name: "s", op: .affine, inputs: [ValueID(1)]))
        graph.outputs = [ValueID(2)]
        #expect(graph.defText() == """
            input x shape=1x4x4x4
            conv c x x out=4 kernel=1 residual=true relu=true
            affine s c
            output s

            """)
    }

    @Test func dotHasANodePerValueAndAnEdgePerOperand() throws {
        let graph = try ModelParser.parse("input x shape=1x2x4x4\nrelu r x\noutput r\n", file: "t")
        #expect(graph.dotText() == """
            digraph model {
              node [shape=box, fontname="Helvetica"];
              v0 [label="x\\ninput\\n1x2x4x4"];
              v1 [label="r\\nrelu\\n1x2x4x4"];
              v0 -> v1;
              out0 [label="output", shape=ellipse];
              v1 -> out0;
            }

            """)
    }
}
