import Foundation

/// A node's identity: 16 random bytes, shown as 32 lower-case hex digits.
///
/// Held as two big-endian words rather than as its hex string: a `NodeID` is a plain 16-byte value, so
/// hashing it (every clock and origin lookup), comparing it (the winner of a field) and copying it (every
/// `Dot`) cost no string work and no reference counting. Comparing `(high, low)` orders ids exactly as their
/// hex strings order, so `<` is unchanged.
public struct NodeID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// Bytes 0 to 7, big-endian.
    let high: UInt64
    /// Bytes 8 to 15, big-endian.
    let low: UInt64

    init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses 32 hex digits, either case.
    public init?(hex: String) {
        var text = hex
        guard let parsed = text.withUTF8({ Self.parse($0) }) else { return nil }
        self = parsed
    }

    private static func parse(_ digits: UnsafeBufferPointer<UInt8>) -> NodeID? {
        guard digits.count == 32 else { return nil }
        func word(_ start: Int) -> UInt64? {
            var value: UInt64 = 0
            for offset in start..<(start + 16) {
                let digit = digits[offset]
                let nibble: UInt8
                switch digit {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = digit &- UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = digit &- UInt8(ascii: "a") &+ 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = digit &- UInt8(ascii: "A") &+ 10
                default: return nil
                }
                value = value << 4 | UInt64(nibble)
            }
            return value
        }
        guard let high = word(0), let low = word(16) else { return nil }
        return NodeID(high: high, low: low)
    }

    /// The id of 16 bytes (the binary wire format). Fewer bytes are padded with zeros; more than 16 are a
    /// programming error.
    public init(bytes: some Sequence<UInt8>) {
        var high: UInt64 = 0
        var low: UInt64 = 0
        var count = 0
        for byte in bytes {
            precondition(count < 16, "a node id has 16 bytes")
            if count < 8 {
                high |= UInt64(byte) << (56 - 8 * count)
            } else {
                low |= UInt64(byte) << (56 - 8 * (count - 8))
            }
            count += 1
        }
        self.init(high: high, low: low)
    }

    public static func random() -> NodeID {
        var generator = SystemRandomNumberGenerator()
        return NodeID(high: generator.next(), low: generator.next())
    }

    /// The 16 raw bytes, for the binary wire format.
    public var bytes: [UInt8] {
        [UInt8](unsafeUninitializedCapacity: 16) { buffer, count in
            for offset in 0..<8 {
                buffer[offset] = UInt8(truncatingIfNeeded: high >> (56 - 8 * offset))
                buffer[offset + 8] = UInt8(truncatingIfNeeded: low >> (56 - 8 * offset))
            }
            count = 16
        }
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// The 32 lower-case hex digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            Self.digits.withUnsafeBufferPointer { digits in
                for offset in 0..<16 {
                    let word = offset < 8 ? high : low
                    let byte = UInt8(truncatingIfNeeded: word >> (56 - 8 * (offset % 8)))
                    buffer[2 * offset] = digits[Int(byte >> 4)]
                    buffer[2 * offset + 1] = digits[Int(byte & 0x0f)]
                }
            }
            return 32
        }
    }

    public var description: String { hex }

    /// The first 8 hex digits: enough to tell nodes apart in logs and tables.
    public var short: String { String(hex.prefix(8)) }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { (lhs.high, lhs.low) < (rhs.high, rhs.low) }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let id = NodeID(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "malformed node id '\(text)'")
        }
        self = id
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// One write: the node that made it and that node's sequence number for it.
public struct Dot: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var origin: NodeID
    public var seq: UInt64

    public init(origin: NodeID, seq: UInt64) {
        self.origin = origin
        self.seq = seq
    }

    public var description: String { "\(origin.short):\(seq)" }

    public static func < (lhs: Dot, rhs: Dot) -> Bool { (lhs.origin, lhs.seq) < (rhs.origin, rhs.seq) }
}

/// The highest sequence number seen from each origin node.
///
/// Because every origin's changes are applied in sequence order without gaps, the clock names exactly the set of
/// changes a replica holds: all of origin O's changes up to `clock[O]`. Comparing clocks tells what a peer lacks.
public struct VectorClock: Sendable, Hashable, Codable, CustomStringConvertible {
    public private(set) var entries: [NodeID: UInt64]

    public init(_ entries: [NodeID: UInt64] = [:]) {
        self.entries = entries.filter { $0.value > 0 }
    }

    public subscript(origin: NodeID) -> UInt64 {
        get { entries[origin] ?? 0 }
        set { entries[origin] = newValue == 0 ? nil : newValue }
    }

    public func contains(_ dot: Dot) -> Bool { self[dot.origin] >= dot.seq }

    /// The least clock that covers both: pointwise maximum.
    public func merged(with other: VectorClock) -> VectorClock {
        VectorClock(entries.merging(other.entries, uniquingKeysWith: max))
    }

    /// Whether everything `other` has seen, this clock has seen too.
    public func dominates(_ other: VectorClock) -> Bool {
        other.entries.allSatisfy { self[$0.key] >= $0.value }
    }

    public enum Order: Sendable, Equatable { case equal, before, after, concurrent }

    public func compare(to other: VectorClock) -> Order {
        switch (dominates(other), other.dominates(self)) {
        case (true, true): .equal
        case (true, false): .after
        case (false, true): .before
        case (false, false): .concurrent
        }
    }

    /// Total number of changes the clock covers.
    public var count: UInt64 { entries.values.reduce(0, +) }

    /// `origin-short:seq` pairs sorted by origin, for logs.
    public var description: String {
        entries.sorted { $0.key < $1.key }.map { "\($0.key.short):\($0.value)" }.joined(separator: " ")
    }

    /// Encodes as a JSON object from node id to sequence number, as `napsync status --json` prints it.
    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode([String: UInt64].self)
        var entries: [NodeID: UInt64] = [:]
        for (key, value) in raw {
            guard let id = NodeID(hex: key) else {
                throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "malformed node id '\(key)' in clock"))
            }
            entries[id] = value
        }
        self.init(entries)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Dictionary(uniqueKeysWithValues: entries.map { ($0.key.hex, $0.value) }))
    }
}
