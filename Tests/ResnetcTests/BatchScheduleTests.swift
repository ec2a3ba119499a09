import Foundation
import Testing
import GraphIR
import Passes
@testable import Runtime

/// A batch runs its early steps image by image and the rest step by step
/// (`BatchSchedule`); the numbers must not notice.
@Suite struct BatchScheduleTests {
    @Test func aBatchComputesWhatItsImagesComputeOneByOne() throws {
        let batched = try Compiler.compile(try shippedModel("resnet50", size: 64, batch: 3), modelName: "resnet50").plan
        let single = try Compiler.compile(try shippedModel("resnet50", size: 64, batch: 1), modelName: "resnet50").plan
        let schedule = BatchSchedule(plan: batched)
        // Layer1's activations outweigh its weights at 64×64; from layer2 on the weights win.
        #expect(schedule.images == 3)
        #expect(batched.steps[schedule.cut].name == "layer2.0.conv1")
        #expect(schedule.carried == batched.steps[schedule.cut - 1].output)
        let input = (0..<batched.input.count).map { Float(sin(Double($0) * 0.37)) }
        let outputs = try Executor(plan: batched, threads: 2).run(input)[0]
        let perImage = outputs.count / 3
        let executor = Executor(plan: single, threads: 2)
        for image in 0..<3 {
            let slice = image * single.input.count..<(image + 1) * single.input.count
            let alone = try executor.run(Array(input[slice]))[0]
            #expect(Array(outputs[image * perImage..<(image + 1) * perImage]) == alone, "image \(image)")
        }
    }

    @Test func aBatchOfOneRunsStepByStep() throws {
        let plan = try Compiler.compile(try shippedModel("resnet18", size: 64), modelName: "resnet18").plan
        let schedule = BatchSchedule(plan: plan)
        #expect(schedule.images == 1 && schedule.cut == 0 && schedule.carried == nil)
    }
}
