import Foundation
import Testing
import Runtime

@Suite struct PlanJSONTests {
    let plan = TinyNetwork().plan

    func object() throws -> [String: Any] {
        let parsed = try JSONSerialization.jsonObject(with: Data(plan.jsonText().utf8))
        return try #require(parsed as? [String: Any])
    }

    @Test func topLevelFields() throws {
        let json = try object()
        #expect(json["arena_bytes"] as? Int == 20800)
        #expect(json["naive_bytes"] as? Int == 20800)
        #expect(json["lower_bound_bytes"] as? Int == 20800)
        #expect(json["weight_bytes"] as? Int == 1320)
        #expect(json["macs"] as? Int == plan.macs)
        #expect(json["model"] as? String == "tiny")
        #expect((json["input"] as? [String: Any])?["shape"] as? [Int] == [2, 3, 12, 12])
        #expect((json["outputs"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["prob", "fc"])
    }

    @Test func buffers() throws {
        let buffers = try #require(try object()["buffers"] as? [[String: Any]])
        #expect(buffers.count == 4)
        #expect(buffers[1]["id"] as? Int == 1 && buffers[1]["offset"] as? Int == 9216 && buffers[1]["bytes"] as? Int == 9216)
        #expect(buffers[1]["first_step"] as? Int == 1 && buffers[1]["last_step"] as? Int == 5)
        #expect(buffers[1]["values"] as? [String] == ["relu1"])
    }

    @Test func stepsNameKernelsAndBuffers() throws {
        let steps = try #require(try object()["steps"] as? [[String: Any]])
        #expect(steps.compactMap { $0["kernel"] as? String }
                == ["conv.direct 3x3/1", "relu", "maxpool 3x3/2", "globalavgpool", "fc", "softmax"])
        #expect(steps.compactMap { $0["inputs"] as? [Int] } == [[-1], [0], [1], [2], [3], [-3]])
        #expect(steps.compactMap { $0["outputs"] as? [Int] } == [[0], [1], [2], [3], [-3], [-2]])
        #expect(steps[0]["index"] as? Int == 0 && steps[0]["op"] as? String == "conv")
        #expect(steps[0]["name"] as? String == "conv1" && steps[0]["fused"] as? [String] == ["bn"])
        #expect(steps[0]["macs"] as? Int == 62208 && steps[4]["macs"] as? Int == 160)
        let operands = try #require(steps[1]["operands"] as? [[String: Any]])
        #expect(operands[1]["location"] as? String == "arena" && operands[1]["offset"] as? Int == 9216)
    }

    @Test func textDumpIsOneLinePerStep() {
        #expect(plan.textDump() == """
            plan 'tiny': input x [2, 3, 12, 12] → outputs prob [2, 10], fc [2, 10]
            0  conv1  conv.direct 3x3/1 +bn  input [2, 3, 12, 12] → arena [0, 9216) [2, 8, 12, 12]
            1  relu1  relu                   arena [0, 9216) [2, 8, 12, 12] → arena [9216, 18432) [2, 8, 12, 12]
            2  pool   maxpool 3x3/2          arena [9216, 18432) [2, 8, 12, 12] → arena [18432, 20736) [2, 8, 6, 6]
            3  gap    globalavgpool          arena [18432, 20736) [2, 8, 6, 6] → arena [20736, 20800) [2, 8]
            4  fc     fc                     arena [20736, 20800) [2, 8] → output 1 [2, 10]
            5  prob   softmax                output 1 [2, 10] → output 0 [2, 10]
            arena 20800 bytes (naive 20800, lower bound 20800), weights 1320 bytes, 62368 MACs

            """)
    }
}
