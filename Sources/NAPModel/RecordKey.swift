import Foundation

/// What a replicated record is.
public enum RecordKind: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    /// A department's progress on one line of action in one year: status and narrative.
    case entry
    /// Something a department did under a line: date, countries, description, budget.
    case intervention
    /// A department's figure for one monitoring instrument in one year.
    case figure
    /// The coordinator's review note on a line in a year.
    case review
    /// The network root's signed revocation of a node's membership (coordinator only; id = node id).
    case revocation

    public static func < (lhs: RecordKind, rhs: RecordKind) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// The global identity of a record: `kind/owner/id`.
///
/// The owner is part of the key, so ownership can never be changed by a later write and every replica can
/// check write rights from the key alone. Records with a natural key (an entry for a line and year, a figure
/// for an instrument and year) derive `id` from it, so two nodes of one department that create the same
/// record concurrently produce one record with a field conflict rather than two records.
public struct RecordKey: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let kind: RecordKind
    public let owner: Owner
    public let id: String
    /// `kind/owner/id`, made once: the key is hashed, compared, stored and digested by this text many times
    /// per change on the apply path.
    public let description: String

    public init(kind: RecordKind, owner: Owner, id: String) {
        self.kind = kind
        self.owner = owner
        self.id = id
        // Copied into one allocation: interpolation, or appending part by part, grew the text as it went (about 2%
        // of a batch of writes).
        let kindName = kind.rawValue
        let slug = owner.slug
        self.description = String(unsafeUninitializedCapacity: kindName.utf8.count + slug.utf8.count + id.utf8.count + 2) { buffer in
            var end = 0
            func append(_ part: String.UTF8View) {
                end += UnsafeMutableBufferPointer(rebasing: buffer[end...]).initialize(from: part).1
            }
            append(kindName.utf8)
            append("/".utf8)
            append(slug.utf8)
            append("/".utf8)
            append(id.utf8)
            return end
        }
    }

    /// Parses `kind/owner/id`; the id may itself contain slashes (`figure/defence/2014/23.b/2`).
    public init?(_ text: String) {
        // Scanned as UTF-8 bytes: received change sets parse one key per record.
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(of: UInt8(ascii: "/")),
            let second = utf8[utf8.index(after: first)...].firstIndex(of: UInt8(ascii: "/")),
            utf8.index(after: second) < utf8.endIndex,
            let kind = RecordKind(rawValue: String(text[..<first])),
            let owner = Owner(slug: String(text[text.index(after: first)..<second]))
        else { return nil }
        self.kind = kind
        self.owner = owner
        self.id = String(text[text.index(after: second)...])
        // The parts are exactly what was between the slashes, so the text is already in canonical form.
        self.description = text
    }

    // The text determines kind, owner and id, so it alone is compared, hashed and ordered, as UTF-8 bytes: the
    // replica keys its records by those bytes, so two ids that are one text to Swift's `String` but differ in bytes
    // (an é composed, or an e and a combining accent) are two records there, and must be two here.
    public static func == (lhs: RecordKey, rhs: RecordKey) -> Bool {
        lhs.withBytes { lhs in rhs.withBytes { ByteOrder.equal(lhs, $0) } }
    }

    public func hash(into hasher: inout Hasher) { withBytes { hasher.combine(bytes: UnsafeRawBufferPointer($0)) } }

    /// Byte order, which is also the order of the replica's table.
    public static func < (lhs: RecordKey, rhs: RecordKey) -> Bool {
        lhs.withBytes { lhs in rhs.withBytes { ByteOrder.compare(lhs, $0) < 0 } }
    }

    /// The key's UTF-8 bytes in place (copied only if Swift does not hold the text as contiguous UTF-8): what it is
    /// compared, hashed and ordered by.
    public func withBytes<T>(_ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        var text = description
        return try text.withUTF8(body)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let key = RecordKey(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "malformed record key '\(text)'")
        }
        self = key
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    public static func entry(_ department: Department, year: Int, line: String) -> RecordKey {
        RecordKey(kind: .entry, owner: .department(department), id: "\(year)/\(line)")
    }

    public static func figure(_ department: Department, year: Int, instrument: String) -> RecordKey {
        RecordKey(kind: .figure, owner: .department(department), id: "\(year)/\(instrument)")
    }

    public static func review(year: Int, line: String) -> RecordKey {
        RecordKey(kind: .review, owner: .coordinator, id: "\(year)/\(line)")
    }
}
