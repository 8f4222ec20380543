import Foundation

/// Everything a replica holds, as typed values: what reports and exports are computed from.
///
/// A snapshot is a plain value, so the reports are pure functions of it and can be tested without a database.
public struct DatasetSnapshot: Sendable, Hashable, Codable {
    public var entries: [ProgressEntry]
    public var interventions: [Intervention]
    public var figures: [Figure]
    public var reviews: [Review]
    /// Conflicts not yet resolved by the owning department.
    public var conflicts: [ConflictSummary]
    /// The replica's vector clock: highest sequence number applied per origin node id.
    public var clock: [String: UInt64]
    /// When data written by each owner (department slug or `coordinator`) last arrived at this replica.
    public var lastReceived: [String: Date]
    /// When the snapshot was taken.
    public var takenAt: Date

    public init(
        entries: [ProgressEntry] = [], interventions: [Intervention] = [], figures: [Figure] = [],
        reviews: [Review] = [], conflicts: [ConflictSummary] = [], clock: [String: UInt64] = [:],
        lastReceived: [String: Date] = [:], takenAt: Date = Date()
    ) {
        self.entries = entries
        self.interventions = interventions
        self.figures = figures
        self.reviews = reviews
        self.conflicts = conflicts
        self.clock = clock
        self.lastReceived = lastReceived
        self.takenAt = takenAt
    }
}

/// An open conflict: concurrent writes of one field (or a removal and a concurrent change) that no later write
/// has settled. The winner is what the replica shows; the others are kept here until the owner resolves them.
public struct ConflictSummary: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        /// Two or more concurrent values of one field.
        case field
        /// The record was removed while another node changed it.
        case removal
    }

    public struct Version: Sendable, Hashable, Codable {
        public var value: FieldValue
        /// Node id of the node that wrote the value.
        public var origin: String
        public var seq: UInt64
        /// When it was written (hybrid logical time, milliseconds since 1970).
        public var time: Int64

        public init(value: FieldValue, origin: String, seq: UInt64, time: Int64) {
            self.value = value
            self.origin = origin
            self.seq = seq
            self.time = time
        }
    }

    public var record: RecordKey
    public var field: String
    public var kind: Kind
    public var winner: Version
    public var others: [Version]

    public init(record: RecordKey, field: String, kind: Kind, winner: Version, others: [Version]) {
        self.record = record
        self.field = field
        self.kind = kind
        self.winner = winner
        self.others = others
    }
}
