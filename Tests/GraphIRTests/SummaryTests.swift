import Foundation
import Testing
@testable import GraphIR

@Suite struct SummaryTests {
    /// torchvision's parameter counts and published GMACs at 224x224.
    static let references: [(String, Int, Double)] = [
        ("resnet18", 11_689_512, 1.82), ("resnet34", 21_797_672, 3.67), ("resnet50", 25_557_032, 4.11),
        ("resnet101", 44_549_160, 7.83), ("resnet152", 60_192_808, 11.56),
        ("resnext50_32x4d", 25_028_904, 4.27), ("wide_resnet50_2", 68_883_240, 11.40),
    ]

    @Test(arguments: references.map(\.0)) func matchesTorchvision(_ name: String) throws {
        let (_, parameters, gmacs) = try #require(Self.references.first { $0.0 == name })
        let graph = try ModelParser.parse(try String(contentsOf: Fixture.modelURL(name), encoding: .utf8), file: name)
        #expect(graph.parameterCount == parameters)
        #expect(abs(Double(graph.totalMACs) / 1e9 - gmacs) <= 0.01 * gmacs)
    }

    @Test func fixtureParameterCountsMatchTheirReadme() throws {
        let counts = try Fixture.names.map { try ModelParser.parse(try Fixture(name: $0).source(), file: $0).parameterCount }
        #expect(counts == [11_122, 8_410, 9_106, 28_082])
    }

    @Test func summaryTableHasRowsAndTotals() throws {
        let graph = try ModelParser.parse("""
            input x shape=1x3x8x8
            conv c x out=4 kernel=3 pad=1
            bn b c
            globalavgpool g b
            fc f g out=10
            output f
            """, file: "t")
        #expect(graph.summaryText() == """
            Layer  Op             Output shape  Params   MACs
            =================================================
            x      input          [1,3,8,8]          0      0
            c      conv           [1,4,8,8]        108  6,912
            b      bn             [1,4,8,8]          8      0
            g      globalavgpool  [1,4]              0      0
            f      fc             [1,10]            50     40
            =================================================
            Total params: 166
            Total MACs: 6,952 (0.00 G)

            """)
    }
}
