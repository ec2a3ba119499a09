/// The plan file's 64-bit checksum: an xxHash64-style hash over 8-byte
/// little-endian words in four independent lanes (so a 100 MB plan hashes in
/// a few tens of milliseconds in release builds).
///
/// Not cryptographic: it detects accidental corruption (a flipped byte, a
/// truncated copy), not tampering.
enum PlanChecksum {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63

    /// The checksum of `bytes`.
    static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        guard let base = bytes.baseAddress else { return mix(prime3) }
        let count = bytes.count
        var lane0 = prime1 &+ prime2, lane1 = prime2, lane2: UInt64 = 0, lane3 = 0 &- prime1
        var offset = 0
        while offset &+ 32 <= count {
            lane0 = round(lane0, word(base, offset))
            lane1 = round(lane1, word(base, offset &+ 8))
            lane2 = round(lane2, word(base, offset &+ 16))
            lane3 = round(lane3, word(base, offset &+ 24))
            offset &+= 32
        }
        var h = rotate(lane0, 1) &+ rotate(lane1, 7) &+ rotate(lane2, 12) &+ rotate(lane3, 18)
        h = (h ^ round(0, lane0)) &* prime1 &+ prime4
        h = (h ^ round(0, lane1)) &* prime1 &+ prime4
        h = (h ^ round(0, lane2)) &* prime1 &+ prime4
        h = (h ^ round(0, lane3)) &* prime1 &+ prime4
        h &+= UInt64(count)
        while offset &+ 8 <= count {
            h = rotate(h ^ round(0, word(base, offset)), 27) &* prime1 &+ prime4
            offset &+= 8
        }
        while offset < count {
            h = rotate(h ^ (UInt64(base.load(fromByteOffset: offset, as: UInt8.self)) &* 0x27D4_EB2F_1656_67C5), 11) &* prime1
            offset &+= 1
        }
        return mix(h)
    }

    @inline(__always)
    private static func word(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        rotate(acc &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func rotate(_ x: UInt64, _ r: UInt64) -> UInt64 { (x << r) | (x >> (64 &- r)) }

    private static func mix(_ value: UInt64) -> UInt64 {
        var h = value
        h ^= h >> 33; h &*= prime2
        h ^= h >> 29; h &*= prime3
        h ^= h >> 32
        return h
    }
}
