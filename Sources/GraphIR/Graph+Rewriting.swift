extension Graph {
    /// Makes every reader of `old` (and the output list) read `new` instead.
    public mutating func replaceAllUses(of old: ValueID, with new: ValueID) {
        for i in nodes.indices {
            nodes[i].inputs = nodes[i].inputs.map { $0 == old ? new : $0 }
        }
        outputs = outputs.map { $0 == old ? new : $0 }
    }

    /// The same graph with its nodes in `order` (a permutation of `ids` in
    /// which every operand comes before its reader), values renumbered.
    public func reordered(_ order: [ValueID]) -> Graph {
        var newID = [Int](repeating: -1, count: nodes.count)
        for (position, id) in order.enumerated() { newID[id.index] = position }
        var result = Graph()
        for id in order {
            var node = self[id]
            node.inputs = node.inputs.map { ValueID(newID[$0.index]) }
            result.append(node)
        }
        result.outputs = outputs.map { ValueID(newID[$0.index]) }
        return result
    }

    /// Bytes of every value but the input and the outputs: what a plan with a
    /// buffer per value (`-O0`) allocates.
    public var intermediateBytes: Int {
        let excluded = Set(outputs).union(inputID.map { [$0] } ?? [])
        return ids.filter { !excluded.contains($0) }.reduce(0) { $0 + self[$1].shape.reduce(1, *) * 4 }
    }

    /// Bytes of the largest set of values live at once when the nodes run in
    /// their current order (the graph input and outputs excluded): the lower
    /// bound of any arena for this schedule.
    public func peakLiveBytes() -> Int {
        let users = users()
        var lastUse = [Int](repeating: -1, count: nodes.count)
        for (i, readers) in users.enumerated() { lastUse[i] = readers.map(\.index).max() ?? i }
        let excluded = Set(outputs).union(inputID.map { [$0] } ?? [])
        var live = 0, peak = 0
        var dying = [[Int]](repeating: [], count: nodes.count)
        for i in nodes.indices where !excluded.contains(ValueID(i)) { dying[lastUse[i]].append(i) }
        for i in nodes.indices {
            if !excluded.contains(ValueID(i)) { live += nodes[i].shape.reduce(1, *) * 4 }
            peak = max(peak, live)
            for d in dying[i] { live -= nodes[d].shape.reduce(1, *) * 4 }
        }
        return peak
    }
}
