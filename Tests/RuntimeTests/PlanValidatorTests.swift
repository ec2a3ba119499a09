import Testing
import Runtime

/// Each case breaks the valid tiny network in one way; arena buffers are
/// conv1 [0, 9216), relu1 [9216, 18432), pool [18432, 20736), gap [20736, 20800);
/// 330 weight floats.
@Suite struct PlanValidatorTests {
    static let cases: [(String, @Sendable (inout Plan) -> Void)] = [
        ("step 2 'pool' output arena [20736, 23040) is outside the 20800-byte arena",
         { $0.steps[2].output.location = .arena(offset: 20736) }),
        ("step 1 'relu1' reads arena [9216, 18432) that no earlier step wrote",
         { $0.steps[1].inputs[0].location = .arena(offset: 9216) }),
        ("step 4 'fc' fc weights [300, 380) are outside the 330 weight floats",
         { if case let .fc(_, bias, relu) = $0.steps[4].kernel {
               $0.steps[4].kernel = .fc(weight: WeightRange(offset: 300, count: 80), bias: bias, relu: relu) } }),
        ("step 5 'prob' output refers to output 3, but the plan has 2 output(s)",
         { $0.steps[5].output.location = .output(3) }),
        ("output 2 'extra' is never written by any step",
         { $0.outputs.append(TensorSpec(name: "extra", shape: [1])) }),
        ("step 0 'conv1' reads the input as [2, 3, 12, 12], but the input 'x' is [1, 3, 12, 12]",
         { $0.input.shape = [1, 3, 12, 12] }),
        ("step 0 'conv1' conv weights has 215 floats, expected 216",
         { if case var .conv(conv) = $0.steps[0].kernel { conv.weights.count = 215; $0.steps[0].kernel = .conv(conv) } }),
        ("buffers 0 and 1 overlap in arena [4096, 9216) while both are live at step 1",
         { $0.buffers[1].offset = 4096 }),
        ("step 3 'gap' (globalavgpool) has 2 input(s), expected 1",
         { $0.steps[3].inputs.append($0.steps[3].inputs[0]) }),
        ("step 2 'pool' output arena [9216, 11520) overlaps its input 0 arena [9216, 18432)",
         { $0.steps[2].output.location = .arena(offset: 9216) }),
        ("step 4 'fc' output uses output 1 'fc' as [2, 10], but the output is [2, 11]",
         { $0.outputs[1].shape = [2, 11] }),
        ("step 0 'conv1' output arena offset 8 is not a multiple of 16",
         { $0.steps[0].output.location = .arena(offset: 8) }),
        ("step 3 'gap' scratch [20000, 21000) is outside the 20800-byte arena",
         { $0.steps[3].scratch = ArenaRange(offset: 20000, bytes: 1000) }),
        ("step 1 'relu1' output is [2, 8, 12, 13], expected [2, 8, 12, 12]",
         { $0.steps[1].output.shape = [2, 8, 12, 13] }),
        ("step 0 'conv1' input 0 has shape [2, 0, 12, 12]; every dimension must be at least 1",
         { $0.steps[0].inputs[0].shape = [2, 0, 12, 12] }),
        ("step 0 'conv1' writes the read-only input",
         { $0.steps[0].output = TensorRef(.input, shape: [2, 3, 12, 12])
           if case var .conv(conv) = $0.steps[0].kernel { conv.geometry.outChannels = 3; conv.weights.count = 81; conv.bias = nil
                                                           $0.steps[0].kernel = .conv(conv) } }),
        ("arena size -1 is outside 0...281474976710656 bytes", { $0.arenaBytes = -1 }),
        ("step 0 'conv1' input 0 has shape [65536, 65536, 65536, 1], over 281474976710656 bytes",
         { $0.steps[0].inputs[0].shape = [65536, 65536, 65536, 1] }),
    ]

    @Test func validPlanPasses() throws {
        try TinyNetwork().plan.validate(source: "tiny.plan")
    }

    @Test(arguments: cases.indices)
    func brokenPlanIsRefusedWithExactMessage(_ index: Int) {
        let (message, breakIt) = Self.cases[index]
        var plan = TinyNetwork().plan
        breakIt(&plan)
        #expect(throws: PlanError.invalid(file: "tiny.plan", message: message)) { try plan.validate(source: "tiny.plan") }
        #expect(PlanError.invalid(file: "tiny.plan", message: message).description == "tiny.plan: " + message)
    }
}
