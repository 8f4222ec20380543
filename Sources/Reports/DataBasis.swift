import Foundation
import NAPModel

/// What a report rests on: the replica's vector clock, when the report was made, and when each department's data
/// last arrived. Every report prints it, and flags at the top the departments whose data is older than the
/// threshold, so that a coordinator never sends figures without knowing how fresh they are.
public struct DataBasis: Sendable, Hashable, Codable {
    public struct ClockEntry: Sendable, Hashable, Codable {
        /// Node id.
        public var node: String
        /// Highest sequence number of that node applied here.
        public var seq: UInt64
    }

    public struct Source: Sendable, Hashable, Codable {
        /// Department slug, or `coordinator`.
        public var owner: String
        public var name: String
        /// Nil when nothing of this owner has ever arrived.
        public var lastReceived: Date?
        /// Whole days between the last arrival and the report.
        public var ageDays: Int?
        /// No data, or data older than the threshold.
        public var stale: Bool
    }

    public var madeAt: Date
    public var snapshotTakenAt: Date
    public var staleAfterDays: Int
    public var clock: [ClockEntry]
    /// The departments responsible for lines of the plan (and any other owner data arrived from), in department
    /// order, then the coordinator.
    public var sources: [Source]

    public var staleSources: [Source] { sources.filter(\.stale) }

    public init(plan: Plan, snapshot: DatasetSnapshot, options: ReportOptions) {
        let madeAt = options.madeAt ?? snapshot.takenAt
        self.madeAt = madeAt
        snapshotTakenAt = snapshot.takenAt
        staleAfterDays = options.staleAfterDays
        clock = snapshot.clock.sorted { $0.key < $1.key }.map { ClockEntry(node: $0.key, seq: $0.value) }
        let responsible = Set(plan.lines.flatMap(\.departments))
        let reporting = Set(snapshot.lastReceived.keys.compactMap(Department.init(rawValue:)))
        var sources = Department.allCases.filter { responsible.contains($0) || reporting.contains($0) }.map {
            Self.source(
                owner: $0.rawValue, name: $0.displayName, lastReceived: snapshot.lastReceived[$0.rawValue],
                madeAt: madeAt, threshold: options.staleAfterDays, flagAbsent: true)
        }
        // The coordinator's own review notes: listed for completeness, never flagged (its absence is not a gap).
        if let received = snapshot.lastReceived[Owner.coordinatorSlug] {
            sources.append(
                Self.source(
                    owner: Owner.coordinatorSlug, name: "Coordinator (reviews)", lastReceived: received,
                    madeAt: madeAt, threshold: options.staleAfterDays, flagAbsent: false))
        }
        self.sources = sources
    }

    private static func source(
        owner: String, name: String, lastReceived: Date?, madeAt: Date, threshold: Int, flagAbsent: Bool
    ) -> Source {
        guard let lastReceived else {
            return Source(owner: owner, name: name, lastReceived: nil, ageDays: nil, stale: flagAbsent)
        }
        let age = ReportDate.days(from: lastReceived, to: madeAt)
        return Source(owner: owner, name: name, lastReceived: lastReceived, ageDays: age, stale: age > threshold)
    }

    /// `Defence: last data 45 days before this report (2015-01-02)`, or `no data received`.
    func staleLine(_ source: Source) -> String {
        guard let lastReceived = source.lastReceived, let age = source.ageDays else {
            return "\(source.name): no data received"
        }
        return "\(source.name): last data \(age) days before this report (\(ReportDate.day(lastReceived)))"
    }

    /// `2015-01-02 (45 days)` or `never`.
    func arrivalText(_ source: Source) -> String {
        guard let lastReceived = source.lastReceived, let age = source.ageDays else { return "never" }
        let ago = age == 0 ? "less than a day" : age == 1 ? "1 day" : "\(age) days"
        return "\(ReportDate.dateTime(lastReceived)) (\(ago) before)"
    }

    /// `a1b2c3: 14, d4e5f6: 3`, or `empty`.
    var clockText: String {
        clock.isEmpty ? "empty" : clock.map { "\($0.node): \($0.seq)" }.joined(separator: ", ")
    }
}
