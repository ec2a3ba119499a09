import Foundation
import Runtime

/// Draws a plan's arena as a memory timeline: a self-contained SVG (what
/// `dump --stage plan --format svg` prints).
///
/// x is the step, y the arena offset with 0 at the bottom, labelled in MiB.
/// Each buffer is a box from `firstStep` to `lastStep + 1` over
/// `[offset, offset + bytes)`, coloured by a hash of its first value's name
/// (scratch space grey), with a tooltip listing its values, size, offset and
/// steps. Dashed lines mark the lower bound and the arena size; the title
/// line gives both and the gap between them.
public enum MemoryTimelineSVG {
    /// The SVG document for `buffers` over a schedule of `stepCount` steps
    /// named `stepNames` (used in tooltips; may be shorter or empty).
    public static func render(buffers: [BufferInfo], stepCount: Int, arenaBytes: Int, lowerBoundBytes: Int,
                              stepNames: [String]) -> String {
        let highest = buffers.map { $0.offset + $0.bytes }.max() ?? 0
        let layout = Layout(stepCount: stepCount, topBytes: max(arenaBytes, lowerBoundBytes, highest))
        var svg = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Layout.width)" height="\(Layout.height)" \
            viewBox="0 0 \(Layout.width) \(Layout.height)" font-family="sans-serif" font-size="12">

            """
        svg += "<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(Layout.width)\" height=\"\(Layout.height)\" fill=\"white\"/>\n"
        svg += "<text class=\"title\" x=\"\(Layout.left)\" y=\"24\" font-size=\"15\">"
            + escaped(titleLine(buffers: buffers, stepCount: stepCount, arenaBytes: arenaBytes,
                                lowerBoundBytes: lowerBoundBytes)) + "</text>\n"
        svg += "<g class=\"buffers\" stroke=\"#333\" stroke-width=\"0.5\">\n"
        for buffer in buffers {
            svg += "<rect class=\"buffer\" data-id=\"\(buffer.id)\""
                + " x=\"\(number(layout.x(step: buffer.firstStep)))\" y=\"\(number(layout.y(bytes: buffer.offset + buffer.bytes)))\""
                + " width=\"\(number(Double(buffer.lastStep + 1 - buffer.firstStep) * layout.stepWidth))\""
                + " height=\"\(number(Double(buffer.bytes) * layout.pixelsPerByte))\" fill=\"\(color(of: buffer))\">"
                + "<title>\(escaped(tooltip(buffer, stepNames: stepNames)))</title></rect>\n"
        }
        svg += "</g>\n"
        svg += axes(layout)
        svg += marker("lower-bound", "lower bound", bytes: lowerBoundBytes, color: "#1565c0", layout: layout,
                      labelX: Layout.left + 4, anchor: "start", labelDY: 14)
        svg += marker("arena", "arena", bytes: arenaBytes, color: "#c62828", layout: layout,
                      labelX: Layout.left + Layout.plotWidth - 4, anchor: "end", labelDY: -5)
        svg += "</svg>\n"
        return svg
    }

    /// Where things go: a fixed canvas, the plot inside its margins.
    struct Layout {
        static let width = 1200, height = 700
        static let left = 90, top = 50, plotWidth = 1070, plotHeight = 580
        let stepCount: Int
        /// The bytes the plot's height spans.
        let topBytes: Int
        let stepWidth: Double
        let pixelsPerByte: Double

        init(stepCount: Int, topBytes: Int) {
            self.stepCount = stepCount; self.topBytes = topBytes
            stepWidth = Double(Layout.plotWidth) / Double(max(stepCount, 1))
            pixelsPerByte = Double(Layout.plotHeight) / Double(max(topBytes, 1))
        }

        func x(step: Int) -> Double { Double(Layout.left) + Double(step) * stepWidth }
        func y(bytes: Int) -> Double { Double(Layout.top + Layout.plotHeight) - Double(bytes) * pixelsPerByte }
    }

    static func titleLine(buffers: [BufferInfo], stepCount: Int, arenaBytes: Int, lowerBoundBytes: Int) -> String {
        let excess = lowerBoundBytes > 0
            ? String(format: " (+%.1f%%)", 100 * Double(arenaBytes - lowerBoundBytes) / Double(lowerBoundBytes)) : ""
        return "Memory timeline: arena \(mebibytes(arenaBytes)) MiB, lower bound \(mebibytes(lowerBoundBytes)) MiB"
            + "\(excess), \(buffers.count) buffers, \(stepCount) steps"
    }

    static func tooltip(_ buffer: BufferInfo, stepNames: [String]) -> String {
        func name(_ step: Int) -> String { stepNames.indices.contains(step) ? stepNames[step] : "step \(step)" }
        let steps = buffer.firstStep == buffer.lastStep
            ? "step \(buffer.firstStep) (\(name(buffer.firstStep)))"
            : "steps \(buffer.firstStep)...\(buffer.lastStep) (\(name(buffer.firstStep)) → \(name(buffer.lastStep)))"
        return buffer.values.joined(separator: ", ") + "\n"
            + "buffer \(buffer.id): \(buffer.bytes) bytes (\(mebibytes(buffer.bytes)) MiB) at offset \(buffer.offset)\n"
            + steps
    }

    /// Grey for scratch space, else a hue from an FNV-1a hash of the first
    /// value's name (stable across runs, unlike `hashValue`).
    static func color(of buffer: BufferInfo) -> String {
        let name = buffer.values.first ?? ""
        if name.hasPrefix("scratch:") { return "#bdbdbd" }
        var hash: UInt32 = 2_166_136_261
        for byte in name.utf8 { hash = (hash ^ UInt32(byte)) &* 16_777_619 }
        return "hsl(\(hash % 360), 65%, 62%)"
    }

    static func axes(_ layout: Layout) -> String {
        let bottom = Layout.top + Layout.plotHeight, right = Layout.left + Layout.plotWidth
        var svg = "<g class=\"axes\" stroke=\"black\">\n"
        svg += "<line x1=\"\(Layout.left)\" y1=\"\(bottom)\" x2=\"\(right)\" y2=\"\(bottom)\"/>\n"
        svg += "<line x1=\"\(Layout.left)\" y1=\"\(Layout.top)\" x2=\"\(Layout.left)\" y2=\"\(bottom)\"/>\n"
        svg += "</g>\n<g class=\"ticks\" font-size=\"11\">\n"
        let stepInterval = max(1, Int(tickInterval(span: Double(layout.stepCount), maxTicks: 20)))
        for step in stride(from: 0, through: layout.stepCount, by: stepInterval) {
            let x = number(layout.x(step: step))
            svg += "<line x1=\"\(x)\" y1=\"\(bottom)\" x2=\"\(x)\" y2=\"\(bottom + 5)\" stroke=\"black\"/>"
                + "<text x=\"\(x)\" y=\"\(bottom + 18)\" text-anchor=\"middle\">\(step)</text>\n"
        }
        let topMiB = Double(layout.topBytes) / mebibyte
        let mibInterval = tickInterval(span: topMiB, maxTicks: 8)
        let decimals = max(0, Int(-log10(mibInterval).rounded(.down)))
        var tick = 0
        while Double(tick) * mibInterval <= topMiB * (1 + 1e-9) {
            let mib = Double(tick) * mibInterval
            let y = number(layout.y(bytes: 0) - mib * mebibyte * layout.pixelsPerByte)
            svg += "<line x1=\"\(Layout.left - 5)\" y1=\"\(y)\" x2=\"\(Layout.left)\" y2=\"\(y)\" stroke=\"black\"/>"
                + "<text x=\"\(Layout.left - 8)\" y=\"\(y)\" dy=\"4\" text-anchor=\"end\">"
                + String(format: "%.\(decimals)f", mib) + "</text>\n"
            tick += 1
        }
        svg += "</g>\n"
        svg += "<text class=\"x-label\" x=\"\(Layout.left + Layout.plotWidth / 2)\" y=\"\(bottom + 40)\""
            + " text-anchor=\"middle\">step</text>\n"
        svg += "<text class=\"y-label\" x=\"20\" y=\"\(Layout.top + Layout.plotHeight / 2)\" text-anchor=\"middle\""
            + " transform=\"rotate(-90 20 \(Layout.top + Layout.plotHeight / 2))\">arena offset (MiB)</text>\n"
        return svg
    }

    /// A dashed horizontal line across the plot at `bytes`, with a label.
    static func marker(_ className: String, _ label: String, bytes: Int, color: String, layout: Layout,
                       labelX: Int, anchor: String, labelDY: Int) -> String {
        let y = number(layout.y(bytes: bytes))
        return "<line class=\"\(className)\" x1=\"\(Layout.left)\" y1=\"\(y)\" x2=\"\(Layout.left + Layout.plotWidth)\""
            + " y2=\"\(y)\" stroke=\"\(color)\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n"
            + "<text class=\"\(className)-label\" x=\"\(labelX)\" y=\"\(y)\" dy=\"\(labelDY)\" text-anchor=\"\(anchor)\""
            + " fill=\"\(color)\">\(label) \(mebibytes(bytes)) MiB</text>\n"
    }

    /// The smallest of 1, 2, 5 × 10ⁿ that splits `span` into at most
    /// `maxTicks` intervals.
    static func tickInterval(span: Double, maxTicks: Int) -> Double {
        guard span > 0 else { return 1 }
        let raw = span / Double(maxTicks)
        let magnitude = pow(10, log10(raw).rounded(.down))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw * (1 - 1e-9) } ?? 10 * magnitude
    }

    static let mebibyte = 1_048_576.0

    static func mebibytes(_ bytes: Int) -> String { String(format: "%.2f", Double(bytes) / mebibyte) }

    static func number(_ value: Double) -> String { String(format: "%.2f", value) }

    static func escaped(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            default: result.append(character)
            }
        }
        return result
    }
}
