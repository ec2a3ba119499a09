import Foundation

/// A small deterministic random number generator (Steele, Lea and Flood's
/// SplitMix64): the same seed gives the same sequence on every machine.
/// Used for random weights and synthetic inputs.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    /// Starts the sequence at `seed`.
    public init(seed: UInt64) { state = seed }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform float in [low, high).
    public mutating func nextUniform(_ low: Float, _ high: Float) -> Float {
        Float(Double(low) + (Double(high) - Double(low)) * nextUnit())
    }

    /// A normal sample with mean 0 and standard deviation `std` (Box–Muller,
    /// one sample per two uniforms, so the sequence does not depend on a cache).
    public mutating func nextNormal(std: Float) -> Float {
        let u1 = 1 - nextUnit()   // (0, 1]: log stays finite
        let u2 = nextUnit()
        return Float(Double(std) * (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
}
