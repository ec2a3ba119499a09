import Testing
@testable import GraphIR

/// input [1,3,8,8] → conv c (4 out, 3x3, bias) → bn b → relu r → globalavgpool g → fc f (2 out).
private func tinyGraph(convOut: Int = 4) -> Graph {
    var graph = Graph()
    let x = graph.append(Node(name: "x", op: .input(shape: [1, 3, 8, 8]), inputs: []))
    let c = graph.append(Node(name: "c", op: .conv(ConvAttributes(outChannels: convOut, kernel: Pair(3), padding: .explicit(Insets(1)), bias: true)),
                              inputs: [x], location: SourceLocation(file: "m.def", line: 2, column: 1)))
    let b = graph.append(Node(name: "b", op: .batchNorm(epsilon: 1e-5), inputs: [c]))
    let r = graph.append(Node(name: "r", op: .relu, inputs: [b]))
    let g = graph.append(Node(name: "g", op: .globalAvgPool, inputs: [r]))
    let f = graph.append(Node(name: "f", op: .fc(outFeatures: 2, bias: true), inputs: [g]))
    graph.outputs = [f]
    #expect(graph.inferShapes().isEmpty)
    return graph
}

private func ramp(_ shape: [Int]) -> Tensor {
    Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map(Float.init))
}

private func completeWeights() -> [String: Tensor] {
    ["c.weight": ramp([4, 3, 3, 3]), "c.bias": ramp([4]), "b.weight": ramp([4]), "b.bias": ramp([4]),
     "b.running_mean": ramp([4]), "b.running_var": ramp([4]), "f.weight": ramp([2, 4]), "f.bias": ramp([2])]
}

@Suite struct WeightBindingTests {
    @Test func bindsEveryParameterUnderItsSuffix() throws {
        var graph = tinyGraph()
        let warnings = try graph.bindWeights(completeWeights(), source: "w.safetensors")
        #expect(warnings.isEmpty)
        #expect(graph.nodes[1].parameters == ["weight": ramp([4, 3, 3, 3]), "bias": ramp([4])])
        #expect(graph.nodes[2].parameters.keys.sorted() == ["bias", "running_mean", "running_var", "weight"])
        #expect(graph.nodes[5].parameters["weight"] == ramp([2, 4]))
        #expect(graph.nodes[3].parameters.isEmpty)
    }

    @Test func reportsEveryMissingKeyAndWrongShapeAndLeavesTheGraphUnchanged() throws {
        var graph = tinyGraph()
        var weights = completeWeights()
        weights["c.bias"] = nil
        weights["b.running_var"] = nil
        weights["f.weight"] = ramp([2, 3])
        let before = graph
        do {
            _ = try graph.bindWeights(weights, source: "w.safetensors")
            Issue.record("expected an error")
        } catch let error as DiagnosticError {
            #expect(error.diagnostics.map(\.message) == [
                "missing weight 'c.bias' (expected shape [4])",
                "missing weight 'b.running_var' (expected shape [4])",
                "weight 'f.weight': expected shape [2,4], found [2,3]",
            ])
            #expect(error.diagnostics.allSatisfy { $0.location == nil && $0.severity == .error })
            #expect(error.diagnostics[0].notes == ["required by conv 'c' at m.def:2:1"])
            #expect(error.description.hasPrefix("error: missing weight 'c.bias' (expected shape [4])\nnote: required by conv 'c' at m.def:2:1\n"))
        }
        #expect(graph == before)
    }

    @Test func warnsAboutUnusedKeys() throws {
        var graph = tinyGraph()
        var weights = completeWeights()
        weights["foo.bar"] = ramp([1])
        weights["aux.weight"] = ramp([2])
        let warnings = try graph.bindWeights(weights, source: "w.safetensors")
        #expect(warnings.map(\.description) == ["warning: unused weight 'aux.weight' in w.safetensors",
                                                "warning: unused weight 'foo.bar' in w.safetensors"])
    }

    @Test func splitMix64MatchesTheReferenceSequence() {
        // First outputs of the reference implementation (Vigna's splitmix64.c) seeded with 0.
        var generator = SplitMix64(seed: 0)
        #expect([generator.next(), generator.next(), generator.next()]
            == [0xE220_A839_7B1D_CDAF, 0x6E78_9E6A_A1B9_65F4, 0x06C4_5D18_8009_454F])
    }

    @Test func randomWeightsAreDeterministicAndDependOnTheSeed() {
        var a = tinyGraph(), b = tinyGraph(), c = tinyGraph()
        a.bindRandomWeights(seed: 7)
        b.bindRandomWeights(seed: 7)
        c.bindRandomWeights(seed: 8)
        #expect(a == b)
        #expect(a != c)
        // Every parameter is bound with its expected shape.
        for id in a.ids {
            let node = a[id]
            for (suffix, shape) in node.parameterShapes(operands: a.operandShapes(id)) {
                #expect(node.parameters[suffix]?.shape == shape)
            }
        }
    }

    @Test func randomWeightsFollowTheDocumentedDistributions() throws {
        var graph = tinyGraph(convOut: 512)
        graph.bindRandomWeights(seed: 1)
        let conv = graph.nodes[1].parameters, bn = graph.nodes[2].parameters, fc = graph.nodes[5].parameters
        let weight = try #require(conv["weight"]).data
        let mean = weight.reduce(0, +) / Float(weight.count)
        let std = (weight.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(weight.count)).squareRoot()
        let heStd = (2 / Float(27)).squareRoot()
        #expect(abs(mean) < 0.02 && abs(std - heStd) < 0.02 * heStd, "mean \(mean) std \(std) vs \(heStd)")
        func within(_ values: [Float]?, _ low: Float, _ high: Float) -> Bool {
            guard let values, let lo = values.min(), let hi = values.max() else { return false }
            return lo >= low && hi <= high && hi - lo > 0.8 * (high - low)
        }
        let convBound = 1 / Float(27).squareRoot(), fcBound = 1 / Float(512).squareRoot()
        #expect(within(conv["bias"]?.data, -convBound, convBound))
        #expect(within(bn["weight"]?.data, 0.5, 1.5))
        #expect(within(bn["bias"]?.data, -0.5, 0.5))
        #expect(within(bn["running_mean"]?.data, -0.5, 0.5))
        #expect(within(bn["running_var"]?.data, 0.5, 2))
        #expect(within(fc["weight"]?.data, -fcBound, fcBound))
    }

    @Test func randomAffineParametersAreScaleAndShift() {
        var graph = Graph()
        let x = graph.append(Node(name: "x", op: .input(shape: [1, 256, 1, 1]), inputs: []))
        graph.outputs = [graph.append(Node(name: "a", op: .affine, inputs: [x]))]
        _ = graph.inferShapes()
        graph.bindRandomWeights(seed: 3)
        let scale = graph.nodes[1].parameters["scale"]?.data ?? []
        let shift = graph.nodes[1].parameters["shift"]?.data ?? []
        #expect(scale.count == 256 && scale.allSatisfy { $0 >= 0.5 && $0 <= 1.5 })
        #expect(shift.count == 256 && shift.allSatisfy { $0 >= -0.5 && $0 <= 0.5 } && shift.contains { $0 < 0 })
    }
}
