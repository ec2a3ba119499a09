import GraphIR
import Testing

@Suite struct ResourceLimitsTests {
    @Test func elementCountDetectsOverflow() {
        #expect(ResourceLimits.elementCount([2, 3, 4]) == 24)
        #expect(ResourceLimits.elementCount([1 << 40, 1 << 40]) == nil)
        #expect(ResourceLimits.elementCount([-1, 4]) == nil)
    }

    @Test func oversizedValuesAreShapeErrors() throws {
        let error = #expect(throws: DiagnosticError.self) {
            try ModelParser.parse("input x shape=1x3x100000x100000\nrelu r x\noutput r\n", file: "m.def")
        }
        #expect(error?.diagnostics.count == 1)
        #expect(error?.description.hasPrefix(
            "m.def:1:1: error: 'x' of shape [1,3,100000,100000] has 30000000000 elements, over the limit of 268435456") == true)
    }

    @Test func oversizedParametersAreShapeErrors() throws {
        let error = #expect(throws: DiagnosticError.self) {
            try ModelParser.parse("input x shape=1x1000000x1x1\nconv c x out=1000000 kernel=1\noutput c\n", file: "m.def")
        }
        #expect(error?.description.contains("parameter 'c.weight' of shape [1000000,1000000,1,1]") == true)
    }
}
