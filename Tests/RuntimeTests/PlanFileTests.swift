import Foundation
import Testing
@testable import Runtime

@Suite struct PlanFileTests {
    let plan = TinyNetwork().plan

    func expectEqual(_ a: Plan, _ b: Plan, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.modelName == b.modelName && a.input == b.input && a.outputs == b.outputs, sourceLocation: sourceLocation)
        #expect(a.arenaBytes == b.arenaBytes && a.naiveBytes == b.naiveBytes && a.lowerBoundBytes == b.lowerBoundBytes,
                sourceLocation: sourceLocation)
        #expect(a.buffers == b.buffers, sourceLocation: sourceLocation)
        #expect(a.steps == b.steps, sourceLocation: sourceLocation)
        let all = { (p: Plan) in p.weights.array(WeightRange(offset: 0, count: p.weights.count)).map(\.bitPattern) }
        #expect(all(a) == all(b), sourceLocation: sourceLocation)
    }

    /// Reads the u64 LE at `offset`.
    func u64(_ bytes: [UInt8], _ offset: Int) -> Int {
        (0..<8).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
    }

    /// `bytes` with a new checksum, as a writer would have stored it.
    func resealed(_ bytes: [UInt8]) -> [UInt8] {
        var bytes = bytes
        let sum = bytes.withUnsafeBytes { PlanChecksum.hash(UnsafeRawBufferPointer(rebasing: $0[20...])) }
        for i in 0..<8 { bytes[12 + i] = UInt8(truncatingIfNeeded: sum >> (8 * UInt64(i))) }
        return bytes
    }

    @Test func roundTripKeepsEverything() throws {
        let bytes = try PlanFile.encode(plan)
        expectEqual(try PlanFile.decode(bytes, source: "t.plan"), plan)
        #expect(try PlanFile.encode(PlanFile.decode(bytes, source: "t.plan")) == bytes)
    }

    @Test func headerLayout() throws {
        let bytes = try PlanFile.encode(plan)
        #expect(Array(bytes[0..<8]) == Array("RESNETCP".utf8))
        #expect(Array(bytes[8..<12]) == [1, 0, 0, 0])
        #expect(PlanFile.formatVersion == 1)
        let metadataLength = u64(bytes, 20), weightsOffset = u64(bytes, 28), weightsCount = u64(bytes, 36)
        #expect(weightsOffset % 64 == 0 && weightsOffset >= 44 + metadataLength && weightsOffset < 44 + metadataLength + 64)
        #expect(weightsCount == plan.weights.count)
        #expect(bytes.count == weightsOffset + 4 * weightsCount)
        let metadata = try JSONSerialization.jsonObject(with: Data(bytes[44..<(44 + metadataLength)])) as? [String: Any]
        #expect(metadata?["modelName"] as? String == "tiny")
        let first = plan.weights.array(WeightRange(offset: 0, count: 1))[0].bitPattern
        #expect(Array(bytes[weightsOffset..<(weightsOffset + 4)]) == (0..<4).map { UInt8(truncatingIfNeeded: first >> (8 * $0)) })
    }

    @Test func writeThenRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("runtime-\(UUID()).plan").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PlanFile.write(plan, to: path)
        expectEqual(try PlanFile.read(contentsOf: path), plan)
        #expect(throws: PlanError.io(file: path + ".missing", detail: "cannot read the file (No such file or directory)")) {
            try PlanFile.read(contentsOf: path + ".missing")
        }
    }

    @Test func checksumSeesLengthsTailsAndSingleBits() {
        // Different lengths and every tail size give different sums; one flipped bit changes the sum.
        let data = (0..<100).map { UInt8($0 * 7 & 0xFF) }
        let sums = (90...100).map { n in data.withUnsafeBytes { PlanChecksum.hash(UnsafeRawBufferPointer(rebasing: $0[..<n])) } }
        #expect(Set(sums).count == sums.count)
        var flipped = data
        flipped[50] ^= 0x10
        #expect(data.withUnsafeBytes(PlanChecksum.hash) != flipped.withUnsafeBytes(PlanChecksum.hash))
    }

    @Test func badMagicNamesTheDefCase() {
        let def = Array("input x shape=1x3x224x224\nconv conv1 x out=64 kernel=7\noutput conv1\n".utf8)
        let error = PlanError.notAPlan(file: "model.plan")
        #expect(error.description
                == "model.plan: not a resnetc plan (bad magic); is it a .def? compile it with 'resnetc compile'")
        #expect(throws: error) { try PlanFile.decode(def, source: "model.plan") }
    }

    @Test func newerVersionIsRefused() throws {
        var bytes = try PlanFile.encode(plan)
        bytes[8] = 7
        let error = PlanError.newerFormat(file: "t.plan", version: 7, supported: 1)
        #expect(error.description == "t.plan: written by a newer resnetc (format 7; this build reads up to 1)")
        #expect(throws: error) { try PlanFile.decode(bytes, source: "t.plan") }
        bytes[8] = 0
        #expect(throws: PlanError.unknownFormat(file: "t.plan", version: 0)) { try PlanFile.decode(bytes, source: "t.plan") }
    }

    @Test func truncatedAtAnyLengthIsRefused() throws {
        let bytes = try PlanFile.encode(plan)
        let weightsOffset = u64(bytes, 28)
        for length in [0, 3, 8, 12, 20, 43, 44, 100, weightsOffset - 1, weightsOffset, bytes.count - 4, bytes.count - 1] {
            let expected = PlanError.truncated(file: "t.plan", expectedBytes: length < 44 ? 44 : bytes.count,
                                               actualBytes: length)
            #expect(throws: expected, "length \(length)") { try PlanFile.decode(Array(bytes[..<length]), source: "t.plan") }
        }
        #expect(PlanError.truncated(file: "t.plan", expectedBytes: 100, actualBytes: 43).description
                == "t.plan: truncated plan (43 bytes, the header says 100)")
    }

    @Test func everyFlippedHeaderOrMetadataByteIsRefused() throws {
        let bytes = try PlanFile.encode(plan)
        for offset in 0..<u64(bytes, 28) {
            var corrupted = bytes
            corrupted[offset] ^= 0x20
            #expect(throws: PlanError.self, "byte \(offset)") { try PlanFile.decode(corrupted, source: "t.plan") }
        }
    }

    @Test func flippedWeightBytesFailTheChecksum() throws {
        let bytes = try PlanFile.encode(plan)
        for offset in stride(from: u64(bytes, 28), to: bytes.count, by: 37) {
            var corrupted = bytes
            corrupted[offset] ^= 0x01
            do {
                _ = try PlanFile.decode(corrupted, source: "t.plan")
                Issue.record("byte \(offset): a corrupted weight was accepted")
            } catch let error as PlanError {
                guard case .checksumMismatch = error else {
                    Issue.record("byte \(offset): \(error)")
                    continue
                }
                #expect(error.description.hasPrefix("t.plan: corrupted plan (checksum 0x"))
            }
        }
    }

    @Test func trailingBytesAreAWeightsSizeMismatch() throws {
        let bytes = try PlanFile.encode(plan)
        let weightsBytes = 4 * plan.weights.count
        #expect(throws: PlanError.weightsSizeMismatch(file: "t.plan", expectedBytes: weightsBytes,
                                                      actualBytes: weightsBytes + 3)) {
            try PlanFile.decode(bytes + [1, 2, 3], source: "t.plan")
        }
    }

    @Test func undecodableMetadataWithAValidChecksum() throws {
        var bytes = try PlanFile.encode(plan)
        let metadataLength = u64(bytes, 20)
        let garbage = Array("{\"modelName\": 3}".utf8)
        bytes.replaceSubrange(44..<(44 + metadataLength), with: garbage + [UInt8](repeating: 0x20, count: metadataLength - garbage.count))
        do {
            _ = try PlanFile.decode(resealed(bytes), source: "t.plan")
            Issue.record("garbage metadata was accepted")
        } catch let error as PlanError {
            guard case .badMetadata = error else { Issue.record("\(error)"); return }
            #expect(error.description.hasPrefix("t.plan: corrupted plan metadata ("))
        }
    }

    @Test func decodeValidatesThePlan() throws {
        var broken = plan
        broken.steps[0].output.location = .arena(offset: 8)
        #expect(throws: PlanError.invalid(file: "t.plan", message: "step 0 'conv1' output arena offset 8 is not a multiple of 16")) {
            try PlanFile.decode(PlanFile.encode(broken), source: "t.plan")
        }
    }
}
