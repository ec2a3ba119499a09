import GraphIR

/// Fuses residual adds and ReLUs into the op that produces their operand, so
/// they run in registers before the store instead of as separate passes over
/// memory.
///
/// 1. For each `add(a, b)`: if an operand is a conv read only by this add,
///    with no epilogue yet and not a graph output, the add becomes that
///    conv's residual epilogue (the other operand is read in the conv's
///    epilogue). When both qualify, the one computed later takes it, so the
///    residual already exists; if only the earlier one qualifies it is moved
///    to just before the add (always legal: its only reader is the add).
/// 2. For each `relu(p)` where `p` (a conv, add, affine or fc) has no other
///    reader, no ReLU yet and is not a graph output: `p` applies the ReLU last.
/// 3. For each `affine(c)` (a BatchNorm that could not fold backwards, as
///    after a pre-activation block's add) where `c` is a conv read only by
///    it, with no scale/shift or ReLU yet and not a graph output: the conv
///    applies the scale and shift after its residual, then the affine's ReLU.
///
/// Epilogue order is bias, residual, ReLU: a ReLU already fused into a conv
/// blocks a later residual fusion (`relu(conv) + r` ≠ `relu(conv + r)`).
public struct FuseEpilogue: Pass {
    public init() {}
    public var name: String { "fuse-epilogue" }
    public var title: String { "FuseEpilogue" }
    public var summary: String { "fuse residual adds and ReLUs into the producing conv's epilogue" }

    public func run(_ graph: inout Graph, _ statistics: inout PassStatistics) throws {
        var id = 0
        while id < graph.nodes.count {
            if case .add = graph[ValueID(id)].op, graph[ValueID(id)].epilogue.isNone,
               let fused = fuseResidual(&graph, add: ValueID(id)) {
                graph = fused
                statistics.add("fused-add")
                id = 0
                continue
            }
            id += 1
        }
        let users = graph.users()
        for id in graph.ids {
            guard case .relu = graph[id].op else { continue }
            let p = graph[id].inputs[0]
            guard users[p.index] == [id], !graph[p].epilogue.relu, !graph.outputs.contains(p) else { continue }
            switch graph[p].op {
            case .conv, .add, .affine, .fc:
                graph[p].epilogue.relu = true
                graph[p].fused.append("relu")
                graph.replaceAllUses(of: id, with: p)
                statistics.add("fused-relu")
            case .input, .batchNorm, .relu, .maxPool, .avgPool, .globalAvgPool, .flatten, .softmax:
                continue
            }
        }
        fuseScaleShift(&graph, &statistics)
        graph = graph.removingDeadNodes()
    }

    /// Step 3: an affine (+ ReLU) read from a conv runs in that conv's epilogue.
    private func fuseScaleShift(_ graph: inout Graph, _ statistics: inout PassStatistics) {
        let users = graph.users()
        for id in graph.ids {
            guard case .affine = graph[id].op, !graph[id].epilogue.addsResidual,
                  let scale = graph[id].parameters["scale"], let shift = graph[id].parameters["shift"] else { continue }
            let p = graph[id].inputs[0]
            guard case .conv = graph[p].op, users[p.index] == [id], !graph[p].epilogue.scaleShift,
                  !graph[p].epilogue.relu, !graph.outputs.contains(p) else { continue }
            graph[p].epilogue.scaleShift = true
            graph[p].epilogue.relu = graph[id].epilogue.relu
            graph[p].parameters["post_scale"] = scale
            graph[p].parameters["post_shift"] = shift
            graph[p].fused += graph[id].fused
            graph.replaceAllUses(of: id, with: p)
            statistics.add("fused-affine")
        }
    }

    /// The graph with `add` folded into one of its conv operands, or nil if neither qualifies.
    private func fuseResidual(_ graph: inout Graph, add: ValueID) -> Graph? {
        let users = graph.users()
        func qualifies(_ v: ValueID) -> Bool {
            guard case .conv = graph[v].op else { return false }
            return users[v.index] == [add] && graph[v].epilogue.isNone && !graph.outputs.contains(v)
        }
        let operands = graph[add].inputs
        guard let conv = operands.filter(qualifies).max() else { return nil }
        let residual = operands[0] == conv ? operands[1] : operands[0]
        guard residual != conv else { return nil }   // add(c, c): nothing to read in the epilogue
        var g = graph
        g[conv].inputs.append(residual)
        g[conv].epilogue.addsResidual = true
        g[conv].fused.append("add")
        g.replaceAllUses(of: add, with: conv)
        // Run the conv just before the add, after its residual exists.
        var order = g.ids.filter { $0 != conv }
        order.insert(conv, at: order.firstIndex(of: add) ?? order.count)
        return g.reordered(order).removingDeadNodes()
    }
}
