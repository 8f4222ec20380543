/// The value of one field of a record: what a change assigns and what the replica stores.
///
/// Kept to a few JSON-like shapes so that the canonical export, the binary wire format and the SQLite store
/// all represent it without loss. Money is held in euro cents and decimals as text, never as floating point,
/// so every replica computes the same digest.
public enum FieldValue: Sendable, Hashable, Codable, CustomStringConvertible {
    case null
    case bool(Bool)
    case int(Int64)
    case text(String)
    case list([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(String.self) {
            self = .text(value)
        } else {
            self = .list(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        }
    }

    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let value): value ? "yes" : "no"
        case .int(let value): String(value)
        case .text(let value): value
        case .list(let value): value.joined(separator: ",")
        }
    }

    public var text: String? { if case .text(let value) = self { value } else { nil } }
    public var int: Int64? { if case .int(let value) = self { value } else { nil } }
    public var bool: Bool? { if case .bool(let value) = self { value } else { nil } }
    public var list: [String]? { if case .list(let value) = self { value } else { nil } }
}

/// A record's fields by name.
public typealias RecordFields = [String: FieldValue]

/// A record's fields as pairs sorted by name, each name once: the order a replica writes them in, without a
/// dictionary built and sorted for each write.
public typealias SortedFields = [(name: String, value: FieldValue)]

extension Dictionary where Key == String, Value == FieldValue {
    /// The fields sorted by name.
    public var sortedByName: SortedFields { sorted { $0.key < $1.key }.map { (name: $0.key, value: $0.value) } }
}
