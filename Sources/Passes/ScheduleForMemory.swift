import GraphIR

/// Reorders the schedule to lower the peak of live memory, which bounds the
/// arena from below.
///
/// 1. Candidates are nodes with a single reader that is not the next node:
///    typically a projection shortcut, computed before its block's main
///    branch and then held through it.
/// 2. For each, in order, move it to just before its reader ("sink" it) and
///    keep the move if the schedule's peak live bytes went down.
///
/// Moving a node later is always legal: its operands stay earlier and its
/// only reader stays later. Leaves the set of nodes and their meaning alone.
public struct ScheduleForMemory: Pass {
    public init() {}
    public var name: String { "schedule-memory" }
    public var title: String { "ScheduleForMemory" }
    public var summary: String { "sink single-use values (projection shortcuts) to lower peak memory" }

    public func run(_ graph: inout Graph, _ statistics: inout PassStatistics) throws {
        var peak = graph.peakLiveBytes()
        var name = 0
        while name < graph.nodes.count {
            let nodeName = graph.nodes[name].name
            name += 1
            guard let id = graph.id(named: nodeName) else { continue }
            let readers = graph.users()[id.index]
            guard readers.count == 1, let reader = readers.first, reader.index > id.index + 1,
                  !graph.outputs.contains(id) else { continue }
            var order = graph.ids.filter { $0 != id }
            order.insert(id, at: order.firstIndex(of: reader) ?? order.count)
            let candidate = graph.reordered(order)
            let candidatePeak = candidate.peakLiveBytes()
            if candidatePeak < peak {
                graph = candidate
                peak = candidatePeak
                statistics.add("sunk")
            }
        }
        statistics.add("peak-live-bytes", peak)
    }
}
