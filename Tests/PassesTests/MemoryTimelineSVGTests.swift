import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Runtime
import Testing
@testable import Passes

private let mib = 1_048_576

/// Three buffers over four steps in a 4 MiB arena whose lower bound is
/// 3 MiB. The plot is 1070 × 580 pixels at (90, 50): a step is 267.5 px
/// wide, a MiB 145 px tall, offset 0 at y = 630.
private let buffers = [
    BufferInfo(id: 0, offset: 0, bytes: mib, firstStep: 0, lastStep: 1, values: ["conv1"]),
    BufferInfo(id: 1, offset: mib, bytes: 2 * mib, firstStep: 1, lastStep: 3,
               values: ["layer1.0.conv1", "layer1.0.relu"]),
    BufferInfo(id: 2, offset: 3 * mib, bytes: mib, firstStep: 2, lastStep: 2, values: ["scratch:2"]),
]
private let stepNames = ["conv1", "layer1.0.conv1", "layer1.0.conv2", "fc"]

private func render(_ buffers: [BufferInfo] = buffers, stepCount: Int = 4, arena: Int = 4 * mib,
                    lowerBound: Int = 3 * mib) -> String {
    MemoryTimelineSVG.render(buffers: buffers, stepCount: stepCount, arenaBytes: arena,
                             lowerBoundBytes: lowerBound, stepNames: stepNames)
}

/// Parses `svg` (failing the test if it is not well-formed XML) and returns
/// its root.
private func parse(_ svg: String) throws -> XMLElement {
    let document = try XMLDocument(xmlString: svg, options: [])
    return try #require(document.rootElement())
}

/// The value of an attribute. (swift-corelibs-foundation's
/// `attribute(forName:)` finds nothing on Linux, so search the list.)
private func attribute(_ element: XMLElement, _ name: String) -> String? {
    element.attributes?.first { $0.name == name }?.stringValue
}

/// Every element under `root` with this `class` attribute, in document order.
private func elements(_ root: XMLElement, class name: String) -> [XMLElement] {
    var found: [XMLElement] = []
    func visit(_ element: XMLElement) {
        if attribute(element, "class") == name { found.append(element) }
        for case let child as XMLElement in element.children ?? [] { visit(child) }
    }
    visit(root)
    return found
}

private func attributes(_ element: XMLElement, _ names: [String]) -> [String] {
    names.map { attribute(element, $0) ?? "missing" }
}

@Suite struct MemoryTimelineSVGTests {
    @Test func isWellFormedSVG() throws {
        let root = try parse(render())
        #expect(root.name == "svg")
        #expect(root.uri == "http://www.w3.org/2000/svg")
        #expect(attributes(root, ["width", "height", "viewBox"]) == ["1200", "700", "0 0 1200 700"])
    }

    @Test func drawsOneBoxPerBufferAtItsStepsAndOffsets() throws {
        let rects = elements(try parse(render()), class: "buffer")
        #expect(rects.map { attributes($0, ["data-id", "x", "y", "width", "height"]) } == [
            ["0", "90.00", "485.00", "535.00", "145.00"],
            ["1", "357.50", "195.00", "802.50", "290.00"],
            ["2", "625.00", "50.00", "267.50", "145.00"],
        ])
    }

    @Test func tooltipsGiveValuesBytesAndSteps() throws {
        let titles = elements(try parse(render()), class: "buffer").map { $0.elements(forName: "title").first?.stringValue }
        #expect(titles == [
            "conv1\nbuffer 0: 1048576 bytes (1.00 MiB) at offset 0\nsteps 0...1 (conv1 → layer1.0.conv1)",
            "layer1.0.conv1, layer1.0.relu\nbuffer 1: 2097152 bytes (2.00 MiB) at offset 1048576\n"
                + "steps 1...3 (layer1.0.conv1 → fc)",
            "scratch:2\nbuffer 2: 1048576 bytes (1.00 MiB) at offset 3145728\nstep 2 (layer1.0.conv2)",
        ])
    }

    @Test func namesAreEscaped() throws {
        let odd = [BufferInfo(id: 7, offset: 0, bytes: 64, firstStep: 0, lastStep: 0, values: ["a<b & \"c\">"])]
        let svg = render(odd, stepCount: 1, arena: 64, lowerBound: 64)
        #expect(svg.contains("a&lt;b &amp; &quot;c&quot;&gt;"))
        let title = elements(try parse(svg), class: "buffer").first?.elements(forName: "title").first?.stringValue
        #expect(title == "a<b & \"c\">\nbuffer 7: 64 bytes (0.00 MiB) at offset 0\nstep 0 (conv1)")
    }

    @Test func colorsByNameAndScratchIsGrey() throws {
        let fills = elements(try parse(render()), class: "buffer").map { attribute($0, "fill") ?? "" }
        try #require(fills.count == 3)
        #expect(fills[0].hasPrefix("hsl(") && fills[1].hasPrefix("hsl("))
        #expect(fills[0] != fills[1])
        #expect(fills[2] == "#bdbdbd")
        // The same first name gets the same colour in another render.
        let again = BufferInfo(id: 9, offset: 0, bytes: 64, firstStep: 0, lastStep: 0, values: ["conv1", "relu"])
        let other = elements(try parse(render([again])), class: "buffer").first.flatMap { attribute($0, "fill") }
        #expect(other == fills[0])
    }

    @Test func marksLowerBoundAndArenaWithDashedLines() throws {
        let root = try parse(render())
        let bound = try #require(elements(root, class: "lower-bound").first)
        let arena = try #require(elements(root, class: "arena").first)
        #expect(attributes(bound, ["x1", "y1", "x2", "y2", "stroke-dasharray"]) == ["90", "195.00", "1160", "195.00", "6 4"])
        #expect(attributes(arena, ["x1", "y1", "x2", "y2", "stroke-dasharray"]) == ["90", "50.00", "1160", "50.00", "6 4"])
        #expect(elements(root, class: "lower-bound-label").first?.stringValue == "lower bound 3.00 MiB")
        #expect(elements(root, class: "arena-label").first?.stringValue == "arena 4.00 MiB")
    }

    @Test func titleLineGivesArenaAndLowerBound() throws {
        #expect(elements(try parse(render()), class: "title").first?.stringValue
            == "Memory timeline: arena 4.00 MiB, lower bound 3.00 MiB (+33.3%), 3 buffers, 4 steps")
    }

    @Test func axesAreTickedInStepsAndMiB() throws {
        let ticks = try #require(elements(try parse(render()), class: "ticks").first)
        let labels = ticks.elements(forName: "text").map { $0.stringValue ?? "" }
        // Steps 0...4 every step; 0 to 4 MiB every 0.5 MiB.
        #expect(labels == ["0", "1", "2", "3", "4", "0.0", "0.5", "1.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0"])
        try #require(labels.count == 14)
        let yOfOneMiB = attribute(ticks.elements(forName: "text")[7], "y")
        #expect(yOfOneMiB == "485.00")
    }

    @Test func tickIntervalsAreOneTwoOrFiveTimesAPowerOfTen() {
        #expect(MemoryTimelineSVG.tickInterval(span: 4, maxTicks: 8) == 0.5)
        #expect(MemoryTimelineSVG.tickInterval(span: 180, maxTicks: 20) == 10)
        #expect(MemoryTimelineSVG.tickInterval(span: 30, maxTicks: 8) == 5)
        #expect(MemoryTimelineSVG.tickInterval(span: 11.5, maxTicks: 8) == 2)
        #expect(MemoryTimelineSVG.tickInterval(span: 0, maxTicks: 8) == 1)
    }

    @Test func emptyPlanStillRenders() throws {
        let root = try parse(render([], stepCount: 0, arena: 0, lowerBound: 0))
        #expect(elements(root, class: "buffer").isEmpty)
        #expect(elements(root, class: "title").first?.stringValue
            == "Memory timeline: arena 0.00 MiB, lower bound 0.00 MiB, 0 buffers, 0 steps")
    }

    @Test func plannedResNetBlockRendersEveryBuffer() throws {
        // The planner's output drawn as it would be in `dump --format svg`.
        let requests = [
            MemoryPlanner.Request(bytes: 802_816, firstStep: 0, lastStep: 3),
            MemoryPlanner.Request(bytes: 802_816, firstStep: 1, lastStep: 2),
            MemoryPlanner.Request(bytes: 802_816, firstStep: 2, lastStep: 3),
            MemoryPlanner.Request(bytes: 3_211_264, firstStep: 3, lastStep: 4),
        ]
        let (offsets, arena) = MemoryPlanner.plan(requests)
        let planned = requests.indices.map {
            BufferInfo(id: $0, offset: offsets[$0], bytes: requests[$0].bytes, firstStep: requests[$0].firstStep,
                       lastStep: requests[$0].lastStep, values: ["v\($0)"])
        }
        let svg = render(planned, stepCount: 5, arena: arena, lowerBound: MemoryPlanner.lowerBound(requests))
        let rects = elements(try parse(svg), class: "buffer")
        #expect(rects.map { attribute($0, "data-id") } == ["0", "1", "2", "3"])
        #expect(svg == render(planned, stepCount: 5, arena: arena, lowerBound: MemoryPlanner.lowerBound(requests)))
    }
}
