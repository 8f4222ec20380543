import Foundation
import NAPModel

/// An unresolved conflict, as the annex of every report lists it: so the coordinator never publishes a value that
/// a department has not settled without knowing it.
public struct ConflictRow: Sendable, Hashable, Codable {
    public struct Version: Sendable, Hashable, Codable {
        public var value: String
        public var node: String
        public var writtenAt: String
    }

    public var record: String
    /// The owning department's display name.
    public var owner: String
    /// What the record is about, in words: `progress entry 2015, line 23.b`.
    public var subject: String
    public var field: String
    /// `field` (concurrent values) or `removal` (removed while changed elsewhere).
    public var kind: String
    /// The value the report shows.
    public var shown: Version
    public var others: [Version]

    init(_ conflict: ConflictSummary) {
        record = conflict.record.description
        switch conflict.record.owner {
        case .department(let department): owner = department.displayName
        case .coordinator: owner = "Coordinator"
        }
        subject = Self.subject(conflict.record)
        field = conflict.field
        kind = conflict.kind.rawValue
        shown = Self.version(conflict.winner)
        others = conflict.others.map(Self.version)
    }

    static func rows(_ conflicts: [ConflictSummary]) -> [ConflictRow] {
        conflicts.map(ConflictRow.init).sorted { ($0.record, $0.field) < ($1.record, $1.field) }
    }

    private static func version(_ version: ConflictSummary.Version) -> Version {
        let date = Date(timeIntervalSince1970: TimeInterval(version.time) / 1000)
        let value: String
        switch version.value {
        case .null: value = "(empty)"
        case .list(let items): value = items.joined(separator: ", ")
        default: value = version.value.description
        }
        return Version(value: value, node: version.origin, writtenAt: ReportDate.dateTime(date))
    }

    private static func subject(_ key: RecordKey) -> String {
        let parts = key.id.split(separator: "/", maxSplits: 1).map(String.init)
        switch key.kind {
        case .entry where parts.count == 2: return "progress entry \(parts[0]), line \(parts[1])"
        case .figure where parts.count == 2: return "figure \(parts[0]), instrument \(parts[1])"
        case .review where parts.count == 2: return "review \(parts[0]), line \(parts[1])"
        case .intervention: return "intervention \(key.id)"
        default: return "\(key.kind.rawValue) \(key.id)"
        }
    }
}
