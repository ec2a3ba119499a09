import Testing
@testable import GraphIR

@Suite struct VerifierTests {
    func valid() throws -> Graph {
        try ModelParser.parse("input x shape=1x2x4x4\nconv c x out=3 kernel=1\nrelu r c\noutput r\n", file: "t")
    }

    @Test func parsedGraphIsValid() throws {
        #expect(try valid().verify().isEmpty)
    }

    @Test func reportsEachBrokenInvariant() throws {
        var g = try valid()
        g[ValueID(1)].inputs = [ValueID(2)]
        #expect(g.verify().map(\.message) == ["conv 'c' (%1) reads %2, which is not defined before it"])

        g = try valid()
        g[ValueID(2)].inputs = []
        #expect(g.verify().map(\.message) == ["relu 'r' has 0 operands, expected 1"])

        g = try valid()
        g[ValueID(2)].epilogue = Epilogue(addsResidual: true)
        #expect(g.verify().map(\.message) == ["relu 'r' has 1 operands, expected 2"])

        g = try valid()
        g[ValueID(2)].name = "c"
        #expect(g.verify().map(\.message) == ["value name 'c' is defined twice (values %1 and %2)"])

        g = try valid()
        g.outputs = [ValueID(7)]
        #expect(g.verify().map(\.message) == ["output %7 is not a value of the graph (3 values)"])

        g = try valid()
        g.outputs = []
        #expect(g.verify().map(\.message) == ["graph has no outputs"])

        g = try valid()
        g.append(Node(name: "y", op: .input(shape: [1, 1, 1, 1]), inputs: [], shape: [1, 1, 1, 1]))
        #expect(g.verify().map(\.message) == ["graph has 2 input nodes, expected exactly 1"])

        g = try valid()
        g[ValueID(2)].shape = [1, 3, 4, 5]
        #expect(g.verify().map(\.message) == ["'r' has shape [1,3,4,5], but its operands give [1,3,4,4]"])

        g = try valid()
        g[ValueID(2)].shape = []
        #expect(g.verify().map(\.message) == ["'r' has no shape"])
    }

    @Test func checksBoundParameterShapes() throws {
        var g = try valid()
        g[ValueID(1)].parameters = ["weight": Tensor(zeros: [3, 2, 1, 1])]
        #expect(g.verify().isEmpty)
        g[ValueID(1)].parameters = ["weight": Tensor(zeros: [3, 2, 3, 3])]
        #expect(g.verify().map(\.message) == ["'c.weight' has shape [3,2,3,3], expected [3,2,1,1]"])
        g[ValueID(1)].op = .conv(ConvAttributes(outChannels: 3, kernel: Pair(1), bias: true))
        g[ValueID(1)].parameters = ["weight": Tensor(zeros: [3, 2, 1, 1])]
        #expect(g.verify().map(\.message) == ["'c' has no parameter 'c.bias'"])
    }
}
