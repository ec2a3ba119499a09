/// SPEC's numeric contract for one output: max |actual − expected| ≤
/// `tolerance` · max |expected|.
public struct NumericComparison: Sendable {
    /// SPEC's relative tolerance.
    public static let tolerance = 1e-3

    public var maxAbsolute: Double
    public var maxReference: Double

    public init(actual: [Float], expected: [Double]) {
        var diff = 0.0, reference = 0.0
        for (a, e) in zip(actual, expected) {
            diff = max(diff, abs(Double(a) - e))
            reference = max(reference, abs(e))
        }
        if actual.count != expected.count { diff = .infinity }
        maxAbsolute = diff
        maxReference = reference
    }

    public init(actual: [Float], expected: [Float]) { self.init(actual: actual, expected: expected.map(Double.init)) }

    /// max |diff| / max |expected| (the absolute difference when the reference is all zero).
    public var relative: Double { maxReference > 0 ? maxAbsolute / maxReference : maxAbsolute }
    public var withinTolerance: Bool { relative <= Self.tolerance }
}
