import Foundation

/// The plan's parameters: one 64-byte-aligned, immutable float buffer that
/// every `WeightRange` indexes. Shared (not copied) between plan copies and
/// concurrent runs. Either owned memory, or a read-only mapping of the plan
/// file (loading a plan copies no weights).
public final class WeightStorage: @unchecked Sendable {
    /// Alignment of the buffer and of every range in it, in floats.
    public static let alignmentFloats = 16

    /// The first float. Valid for `count` floats for the storage's lifetime.
    /// Never written through once built.
    public let base: UnsafeMutablePointer<Float>
    public let count: Int
    /// The file mapping the floats live in, unmapped with the storage.
    private let mapping: UnsafeMutableRawBufferPointer?

    /// Copies `floats` into aligned storage.
    public convenience init(_ floats: [Float]) {
        self.init(count: floats.count)
        floats.withUnsafeBufferPointer { src in
            if let s = src.baseAddress { base.update(from: s, count: floats.count) }
        }
    }

    /// Zero-filled storage of `count` floats.
    public init(count: Int) {
        self.count = count
        let raw = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
        base = raw.initializeMemory(as: Float.self, repeating: 0, count: max(count, 1))
        mapping = nil
    }

    /// The `count` floats at byte `offset` (a multiple of 64) of a read-only
    /// file mapping, which the storage takes over and unmaps.
    init(mapping: UnsafeMutableRawBufferPointer, offset: Int, count: Int) {
        self.count = count
        self.mapping = mapping
        // The mapping is page-aligned and `offset` 64-aligned, so the floats are too.
        base = (mapping.baseAddress! + offset).assumingMemoryBound(to: Float.self)
    }

    deinit {
        if let mapping {
            munmap(mapping.baseAddress, mapping.count)
        } else {
            base.deallocate()
        }
    }

    /// The floats of a range.
    public func pointer(_ range: WeightRange) -> UnsafePointer<Float> { UnsafePointer(base + range.offset) }

    /// A copy of a range's floats.
    public func array(_ range: WeightRange) -> [Float] { Array(UnsafeBufferPointer(start: base + range.offset, count: range.count)) }
}

/// Builds a `WeightStorage` range by range, keeping every range aligned.
public struct WeightStorageBuilder {
    public private(set) var floats: [Float] = []

    public init() {}

    /// Appends `values` at the next aligned offset and returns their range.
    public mutating func append(_ values: [Float]) -> WeightRange {
        let pad = (WeightStorage.alignmentFloats - floats.count % WeightStorage.alignmentFloats) % WeightStorage.alignmentFloats
        floats.append(contentsOf: repeatElement(0, count: pad))
        let range = WeightRange(offset: floats.count, count: values.count)
        floats.append(contentsOf: values)
        return range
    }

    /// The finished storage.
    public func build() -> WeightStorage { WeightStorage(floats) }
}
