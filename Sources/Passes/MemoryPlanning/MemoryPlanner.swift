// TEMPORARY stand-in until the memplan branch lands.
public enum MemoryPlanner {
    public struct Request { public var bytes: Int; public var firstStep: Int; public var lastStep: Int
        public init(bytes: Int, firstStep: Int, lastStep: Int) { self.bytes = bytes; self.firstStep = firstStep; self.lastStep = lastStep } }
    public static func aligned(_ b: Int) -> Int { (b + 63) / 64 * 64 }
    public static func plan(_ r: [Request]) -> (offsets: [Int], arenaBytes: Int) {
        var next = 0; return (r.map { x in defer { next += aligned(x.bytes) }; return next }, next) }
    public static func lowerBound(_ r: [Request]) -> Int {
        let steps = (r.map(\.lastStep).max() ?? -1) + 1
        return (0..<steps).map { s in r.filter { $0.firstStep <= s && s <= $0.lastStep }.reduce(0) { $0 + $1.bytes } }.max() ?? 0 }
}
