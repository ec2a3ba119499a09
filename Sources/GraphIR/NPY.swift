import Foundation

/// Reads and writes NumPy `.npy` files holding float tensors.
///
/// Layout: the magic `\x93NUMPY`, a version byte pair (1.0, 2.0 or 3.0
/// accepted), the header length (little-endian: 2 bytes for 1.0, 4 for
/// 2.0/3.0), a header that is a Python dict literal
/// `{'descr': '<f4', 'fortran_order': False, 'shape': (1, 3, 32, 32), }`
/// (keys in any order, with any spacing and an optional trailing comma),
/// then the raw data in C order.
///
/// Only little-endian float32 (`<f4`) and float64 (`<f8`, rounded to
/// float32) in C order are read; a shape `()` is a scalar.
public enum NPY {
    /// The most elements a file may declare, checked before allocating (2^31).
    public static var maxElements: Int { ResourceLimits.maxTensorElements }

    private static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Reads the tensor in the file at `path`.
    public static func read(contentsOf path: String) throws -> Tensor {
        switch FileBytes.read(path) {
        case .success(let bytes): try decode(bytes, source: path)
        case .failure(let failure): throw TensorFileError.unreadable(file: path, reason: failure.reason)
        }
    }

    /// Decodes an `.npy` image; `source` names it in errors.
    public static func decode(_ bytes: [UInt8], source: String) throws -> Tensor {
        guard bytes.count >= 8, Array(bytes[0..<6]) == magic else { throw TensorFileError.badMagic(file: source) }
        let (major, minor) = (bytes[6], bytes[7])
        guard (1...3).contains(major), minor == 0 else {
            throw TensorFileError.unsupportedVersion(file: source, major: major, minor: minor)
        }
        let lengthBytes = major == 1 ? 2 : 4
        guard bytes.count >= 8 + lengthBytes else { throw TensorFileError.truncatedHeader(file: source) }
        let headerLength = major == 1
            ? Int(FileBytes.littleEndian(bytes, at: 8, as: UInt16.self))
            : Int(FileBytes.littleEndian(bytes, at: 8, as: UInt32.self))
        let dataStart = 8 + lengthBytes + headerLength
        guard bytes.count >= dataStart else { throw TensorFileError.truncatedHeader(file: source) }
        guard let text = String(validating: bytes[(8 + lengthBytes)..<dataStart], as: UTF8.self) else {
            throw TensorFileError.malformedHeader(file: source, reason: "not text")
        }
        let header = try Header(text, source: source)

        let itemSize = header.descr == "<f4" ? 4 : 8
        let (count, overflow) = header.shape.reduce((1, false)) { acc, dim in
            let (product, o) = acc.0.multipliedReportingOverflow(by: dim)
            return (product, acc.1 || o)
        }
        guard !overflow, count <= maxElements else { throw TensorFileError.tooManyElements(file: source, shape: header.shape) }
        let found = bytes.count - dataStart
        guard found == count * itemSize else {
            throw TensorFileError.dataSizeMismatch(file: source, shape: header.shape, descr: header.descr, expected: count * itemSize, found: found)
        }
        let data: [Float] = bytes.withUnsafeBytes { raw in
            itemSize == 4
                ? (0..<count).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + 4 * $0, as: UInt32.self))) }
                : (0..<count).map { Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + 8 * $0, as: UInt64.self)))) }
        }
        return Tensor(shape: header.shape, data: data)
    }

    /// Encodes a tensor as a version 1.0 (2.0 if the header needs it) `<f4`
    /// file, its header padded with spaces to 64-byte alignment as NumPy does.
    public static func encode(_ t: Tensor) -> [UInt8] {
        let shape = t.shape.count == 1 ? "(\(t.shape[0]),)" : "(" + t.shape.map(String.init).joined(separator: ", ") + ")"
        var header = Array("{'descr': '<f4', 'fortran_order': False, 'shape': \(shape), }".utf8)
        let lengthBytes = header.count + 12 > 0xFFFF ? 4 : 2
        let preamble = 8 + lengthBytes
        header.append(contentsOf: [UInt8](repeating: 0x20, count: (64 - (preamble + header.count + 1) % 64) % 64))
        header.append(0x0A)
        var out = magic + [lengthBytes == 2 ? 1 : 2, 0]
        if lengthBytes == 2 {
            withUnsafeBytes(of: UInt16(header.count).littleEndian) { out.append(contentsOf: $0) }
        } else {
            withUnsafeBytes(of: UInt32(header.count).littleEndian) { out.append(contentsOf: $0) }
        }
        out += header
        out.reserveCapacity(out.count + 4 * t.count)
        for value in t.data { withUnsafeBytes(of: value.bitPattern.littleEndian) { out.append(contentsOf: $0) } }
        return out
    }

    /// Writes `t` to `path` as `encode(_:)` lays it out.
    public static func write(_ t: Tensor, to path: String) throws {
        do {
            try Data(encode(t)).write(to: URL(fileURLWithPath: path))
        } catch {
            throw TensorFileError.unwritable(file: path, reason: (error as NSError).localizedDescription)
        }
    }

    /// The three fields of an `.npy` header.
    private struct Header {
        var descr: String
        var shape: [Int]

        /// header ::= '{' (key ':' value (',' key ':' value)* ','?)? '}'
        /// value  ::= string | 'True' | 'False' | '(' (int (',' int)* ','?)? ')'
        init(_ text: String, source: String) throws {
            var scanner = Tokens(Array(text.unicodeScalars))
            func fail(_ reason: String) -> TensorFileError { .malformedHeader(file: source, reason: reason) }
            guard scanner.take("{") else { throw fail("expected '{'") }
            var fields: [String: Value] = [:]
            while !scanner.take("}") {
                guard let key = scanner.string() else { throw fail("expected a quoted key") }
                guard scanner.take(":") else { throw fail("expected ':' after '\(key)'") }
                guard let value = scanner.value() else { throw fail("bad value for '\(key)'") }
                guard fields.updateValue(value, forKey: key) == nil else { throw fail("duplicate key '\(key)'") }
                if !scanner.take(",") {
                    guard scanner.take("}") else { throw fail("expected ',' or '}'") }
                    break
                }
            }
            guard scanner.atEnd else { throw fail("unexpected text after '}'") }
            for key in fields.keys where !["descr", "fortran_order", "shape"].contains(key) {
                throw fail("unexpected key '\(key)'")
            }
            guard case .string(let descr)? = fields["descr"] else { throw fail("'descr' is missing or not a string") }
            guard case .bool(let fortran)? = fields["fortran_order"] else { throw fail("'fortran_order' is missing or not True/False") }
            guard case .tuple(let shape)? = fields["shape"] else { throw fail("'shape' is missing or not a tuple of integers") }
            guard descr == "<f4" || descr == "<f8" else { throw TensorFileError.unsupportedDType(file: source, descr: descr) }
            guard !fortran else { throw TensorFileError.fortranOrder(file: source) }
            self.descr = descr
            self.shape = shape
        }
    }

    private enum Value { case string(String), bool(Bool), tuple([Int]) }

    /// A cursor over the header's scalars that skips whitespace between tokens.
    private struct Tokens {
        var scalars: [Unicode.Scalar]
        var index = 0

        init(_ scalars: [Unicode.Scalar]) { self.scalars = scalars }

        var atEnd: Bool { mutating get { skipSpace(); return index == scalars.count } }

        mutating func skipSpace() {
            while index < scalars.count, scalars[index].properties.isWhitespace { index += 1 }
        }

        mutating func take(_ symbol: Unicode.Scalar) -> Bool {
            skipSpace()
            guard index < scalars.count, scalars[index] == symbol else { return false }
            index += 1
            return true
        }

        mutating func word(_ text: String) -> Bool {
            skipSpace()
            let word = Array(text.unicodeScalars)
            guard scalars[index...].starts(with: word) else { return false }
            index += word.count
            return true
        }

        /// 'text' or "text" (no escapes: NumPy never writes them).
        mutating func string() -> String? {
            skipSpace()
            guard index < scalars.count, scalars[index] == "'" || scalars[index] == "\"" else { return nil }
            let quote = scalars[index]
            guard let end = scalars[(index + 1)...].firstIndex(of: quote) else { return nil }
            defer { index = end + 1 }
            return String(String.UnicodeScalarView(scalars[(index + 1)..<end]))
        }

        /// A non-negative decimal integer that fits in an Int.
        mutating func integer() -> Int? {
            skipSpace()
            var value = 0, digits = 0
            while index < scalars.count, ("0"..."9").contains(scalars[index]) {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(Int(scalars[index].value - 48))
                guard !o1, !o2 else { return nil }
                value = sum; digits += 1; index += 1
            }
            return digits > 0 ? value : nil
        }

        mutating func value() -> Value? {
            if let text = string() { return .string(text) }
            if word("True") { return .bool(true) }
            if word("False") { return .bool(false) }
            guard take("(") else { return nil }
            var dims: [Int] = []
            while !take(")") {
                guard let dim = integer() else { return nil }
                dims.append(dim)
                if !take(",") {
                    guard take(")") else { return nil }
                    break
                }
            }
            return .tuple(dims)
        }
    }
}
