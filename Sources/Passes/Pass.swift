import GraphIR

/// A graph-to-graph transformation: one file each, a kebab-case flag name.
///
/// A pass keeps the graph verified (shapes inferred, parameters bound) and
/// computing the same function; tests check both after every pass.
public protocol Pass: Sendable {
    /// The flag name (`fold-batchnorm`), used by `--print-after` and `--disable-pass`.
    var name: String { get }
    /// The type-style name shown in dumps (`FoldBatchNorm`).
    var title: String { get }
    /// One line for `compile --help`.
    var summary: String { get }
    /// Transforms `graph`, recording what it did in `statistics`.
    func run(_ graph: inout Graph, _ statistics: inout PassStatistics) throws
}

/// Counters a pass reports (`folded-bn: 53`), in the order first recorded.
public struct PassStatistics: Sendable, Equatable {
    public private(set) var counters: [(key: String, value: Int)] = []

    public init() {}

    /// Adds `amount` to counter `key`.
    public mutating func add(_ key: String, _ amount: Int = 1) {
        if let i = counters.firstIndex(where: { $0.key == key }) {
            counters[i].value += amount
        } else {
            counters.append((key, amount))
        }
    }

    /// The counter's value (0 if never recorded).
    public subscript(key: String) -> Int { counters.first { $0.key == key }?.value ?? 0 }

    public static func == (a: PassStatistics, b: PassStatistics) -> Bool {
        a.counters.map(\.key) == b.counters.map(\.key) && a.counters.map(\.value) == b.counters.map(\.value)
    }
}
