import NAPModel

/// Appends the primitive encodings the wire format and the store use: LEB128 varints, zig-zag signed
/// integers, length-prefixed UTF-8 and tagged field values.
struct BinaryWriter {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 0) { bytes.reserveCapacity(capacity) }

    mutating func byte(_ value: UInt8) { bytes.append(value) }

    /// Empties the buffer, keeping its capacity for what is written next.
    mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    mutating func raw(_ value: some Sequence<UInt8>) { bytes.append(contentsOf: value) }

    /// A node id's 16 bytes (`NodeID.bytes`), without making an array of them first.
    mutating func node(_ id: NodeID) {
        withUnsafeBytes(of: id.high.bigEndian) { bytes.append(contentsOf: $0) }
        withUnsafeBytes(of: id.low.bigEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    mutating func varint(_ value: Int) { varint(UInt64(value)) }

    mutating func signed(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

    mutating func string(_ value: String) {
        let utf8 = value.utf8
        varint(utf8.count)
        // Native strings expose their UTF-8 storage: one copy instead of a walk through the view.
        if utf8.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func value(_ value: FieldValue) {
        switch value {
        case .null: byte(0)
        case .bool(false): byte(1)
        case .bool(true): byte(2)
        case .int(let number):
            byte(3)
            signed(number)
        case .text(let text):
            byte(4)
            string(text)
        case .list(let items):
            byte(5)
            varint(items.count)
            for item in items { string(item) }
        }
    }

    /// A change's assignments as a change's digest and its stored body both lay them out: the count, then each
    /// field name and value.
    mutating func assignments(_ assignments: [Assignment]) {
        varint(assignments.count)
        for assignment in assignments {
            string(assignment.field)
            value(assignment.value)
        }
    }

    /// Appends another buffer prefixed by its length, so a reader can skip or bound it.
    mutating func section(_ other: BinaryWriter) {
        varint(other.bytes.count)
        bytes.append(contentsOf: other.bytes)
    }
}

/// Reads what `BinaryWriter` wrote, refusing anything malformed or out of bounds with `BinaryReader.Error`.
struct BinaryReader {
    struct Error: Swift.Error, CustomStringConvertible {
        var reason: String
        var offset: Int
        var description: String { "\(reason) at byte \(offset)" }
    }

    private let bytes: [UInt8]
    private(set) var offset: Int
    private let end: Int

    init(_ bytes: [UInt8], from start: Int = 0, count: Int? = nil) {
        self.bytes = bytes
        self.offset = start
        self.end = count.map { start + $0 } ?? bytes.count
    }

    var isAtEnd: Bool { offset >= end }
    var remaining: Int { end - offset }

    mutating func byte() throws(Error) -> UInt8 {
        guard offset < end else { throw Error(reason: "unexpected end of data", offset: offset) }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func raw(_ count: Int) throws(Error) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw Error(reason: "unexpected end of data", offset: offset) }
        defer { offset += count }
        return bytes[offset..<(offset + count)]
    }

    mutating func varint() throws(Error) -> UInt64 {
        switch Varint.read(bytes, at: &offset, end: end) {
        case .success(let value): return value
        case .failure(.truncated): throw Error(reason: "unexpected end of data", offset: offset)
        case .failure(.tooLong): throw Error(reason: "varint too long", offset: offset)
        }
    }

    /// A varint used as a count or index: bounded so that a hostile value cannot make us allocate wildly.
    mutating func count(max: Int) throws(Error) -> Int {
        let value = try varint()
        guard value <= UInt64(max) else { throw Error(reason: "count \(value) exceeds limit \(max)", offset: offset) }
        return Int(value)
    }

    mutating func signed() throws(Error) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    mutating func string() throws(Error) -> String {
        let length = try count(max: remaining)
        let slice = try raw(length)
        guard let text = String(validating: slice, as: UTF8.self) else {
            throw Error(reason: "invalid UTF-8 text", offset: offset - length)
        }
        return text
    }

    /// The bytes of a length-prefixed string, without the prefix and unchecked: for copying text this node
    /// wrote itself.
    mutating func stringBytes() throws(Error) -> ArraySlice<UInt8> {
        bytes[try stringRange()]
    }

    /// Where the next length-prefixed string's bytes are, without the prefix; unchecked. A range rather than a
    /// slice, which would hold the array.
    mutating func stringRange() throws(Error) -> Range<Int> {
        try skip(try count(max: remaining))
    }

    /// The encoded bytes of the next value, tag included, checked for shape but not decoded: for copying a
    /// value this node stored into a change set, which encodes values alike.
    mutating func valueBytes() throws(Error) -> ArraySlice<UInt8> {
        bytes[try valueRange()]
    }

    /// Where `valueBytes()` would be.
    mutating func valueRange() throws(Error) -> Range<Int> {
        let start = offset
        switch try byte() {
        case 0, 1, 2: break
        case 3: _ = try varint()
        case 4: _ = try stringRange()
        case 5: for _ in 0..<(try count(max: remaining)) { _ = try stringRange() }
        case let tag: throw Error(reason: "unknown value tag \(tag)", offset: offset - 1)
        }
        return start..<offset
    }

    /// Moves past `count` bytes; where they are.
    mutating func skip(_ count: Int) throws(Error) -> Range<Int> {
        guard count >= 0, count <= remaining else { throw Error(reason: "unexpected end of data", offset: offset) }
        defer { offset += count }
        return offset..<(offset + count)
    }

    mutating func value() throws(Error) -> FieldValue {
        switch try byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try signed())
        case 4: return .text(try string())
        case 5:
            let count = try count(max: remaining)
            var items: [String] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try string()) }
            return .list(items)
        case let tag: throw Error(reason: "unknown value tag \(tag)", offset: offset - 1)
        }
    }

    /// A chain value or digest: the next 32 bytes.
    mutating func chainHash() throws(Error) -> ChainHash {
        // `raw` returns exactly the count asked for, or throws.
        ChainHash(try raw(ChainHash.byteCount))!
    }

    /// Reads a length-prefixed section written by `BinaryWriter.section` as a reader bounded to it.
    mutating func section() throws(Error) -> BinaryReader {
        let length = try count(max: remaining)
        let reader = BinaryReader(bytes, from: offset, count: length)
        offset += length
        return reader
    }
}
