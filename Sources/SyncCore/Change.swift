import NAPModel

/// One mutation of one record, as its origin node wrote it: the unit of replication.
///
/// A change assigns one or more fields of a record. `supersedes` is its causal context: the versions of those
/// fields that the writer held when it wrote. Applying the change replaces exactly those versions; any other
/// version of the field is concurrent with it and stays, as an open conflict, until someone writes over both.
public struct Change: Sendable, Hashable {
    public var origin: NodeID
    public var seq: UInt64
    /// Hybrid logical time in milliseconds since 1970: wall-clock time, but never behind any change the writer
    /// had seen, so a later write of a field also has a later time.
    public var time: Int64
    public var record: RecordKey
    public var assignments: [Assignment]
    public var supersedes: [Dot]

    public init(origin: NodeID, seq: UInt64, time: Int64, record: RecordKey, assignments: [Assignment], supersedes: [Dot]) {
        self.origin = origin
        self.seq = seq
        self.time = time
        self.record = record
        self.assignments = assignments
        self.supersedes = supersedes
    }

    public var dot: Dot { Dot(origin: origin, seq: seq) }

    /// Whether this change removes its record.
    public var isRemoval: Bool {
        assignments.contains { $0.field == Change.removedField && $0.value == .bool(true) }
    }

    /// What a change set may hold, per change (protocol.md §2.2): every receiver refuses a change past these, so
    /// a local write is held to them too, or its node could write what no peer accepts, and its sync would stop
    /// at that change for good.
    public static let maxAssignments = 256
    public static let maxFieldNameBytes = 64
    public static let maxContext = 4096

    /// The latest time a change may carry: the last millisecond of the year 9999. A received change set naming a
    /// later one is refused: every local write takes a time after the newest change held, which past this would
    /// soon overflow.
    public static let latestTime: Int64 = 253_402_300_799_999

    /// The reserved field that marks a record removed. A removal keeps the record's values as a tombstone.
    public static let removedField = "_removed"
}

public struct Assignment: Sendable, Hashable {
    public var field: String
    public var value: FieldValue

    public init(field: String, value: FieldValue) {
        self.field = field
        self.value = value
    }
}
