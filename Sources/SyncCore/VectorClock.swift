import Foundation

/// A node's identity: 16 random bytes, shown as 32 lower-case hex digits.
public struct NodeID: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let hex: String

    public init?(hex: String) {
        let lower = hex.lowercased()
        guard lower.count == 32, lower.allSatisfy(\.isHexDigit) else { return nil }
        self.hex = lower
    }

    public init(bytes: some Sequence<UInt8>) {
        self.hex = bytes.map { String(format: "%02x", $0) }.joined()
    }

    public static func random() -> NodeID {
        var generator = SystemRandomNumberGenerator()
        return NodeID(bytes: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The 16 raw bytes, for the binary wire format.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(16)
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            result.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return result
    }

    public var description: String { hex }

    /// The first 8 hex digits: enough to tell nodes apart in logs and tables.
    public var short: String { String(hex.prefix(8)) }

    public static func < (lhs: NodeID, rhs: NodeID) -> Bool { lhs.hex < rhs.hex }

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
