import NAPModel

/// The replicated state of one record: for each field, the versions no later write has superseded.
///
/// Normally a field holds one version. Two versions means concurrent writes: the deterministic winner is what
/// every replica shows, the others stay until the owning department resolves the conflict. This is a
/// multi-value register per field; applying changes in any causal order yields the same state.
public struct RecordState: Sendable, Hashable {
    public struct Version: Sendable, Hashable {
        public var dot: Dot
        public var time: Int64
        public var value: FieldValue
        /// For a removal: every version of every field the remover had seen. A field version not in here was
        /// written concurrently with the removal.
        public var observed: [Dot]

        public init(dot: Dot, time: Int64, value: FieldValue, observed: [Dot] = []) {
            self.dot = dot
            self.time = time
            self.value = value
            self.observed = observed
        }

        /// The order that picks the winner, the same on every replica: later hybrid time first, then the higher
        /// origin node id, then the higher sequence number.
        static func wins(_ lhs: Version, over rhs: Version) -> Bool {
            // `NodeID`'s order is the order of its hex string, which is what the rule names.
            (lhs.time, lhs.dot.origin, lhs.dot.seq) > (rhs.time, rhs.dot.origin, rhs.dot.seq)
        }
    }

    /// Live versions per field, winner first.
    public private(set) var fields: [String: [Version]]

    public init(fields: [String: [Version]] = [:]) {
        self.fields = fields
    }

    /// Applies a change whose causal context this replica already holds.
    public mutating func apply(_ change: Change) {
        let superseded = change.supersedes
        let dot = change.dot
        // A new record gets all its fields at once: size the dictionary once rather than grow it field by field.
        if fields.isEmpty { fields.reserveCapacity(change.assignments.count) }
        for assignment in change.assignments {
            let observed = assignment.field == Change.removedField && assignment.value == .bool(true) ? superseded : []
            let version = Version(dot: dot, time: change.time, value: assignment.value, observed: observed)
            // In place: the field's array is mutated inside the dictionary, not copied out and stored back.
            Self.add(version, to: &fields[assignment.field, default: []], superseding: superseded)
        }
    }

    private static func add(_ version: Version, to versions: inout [Version], superseding superseded: [Dot]) {
        if !superseded.isEmpty && !versions.isEmpty { versions.removeAll { superseded.contains($0.dot) } }
        versions.append(version)
        if versions.count > 1 { versions.sort(by: Version.wins) }
    }

    /// The value every replica shows for each field (the winner), without the removal marker.
    public var values: RecordFields {
        var result: RecordFields = [:]
        for (field, versions) in fields where field != Change.removedField {
            if let winner = versions.first { result[field] = winner.value }
        }
        return result
    }

    /// False when no conflict is possible: every field has one version and the record is not removed.
    var mayConflict: Bool {
        for versions in fields.values where versions.count > 1 { return true }
        return isRemoved
    }

    public var exists: Bool { fields.contains { $0.key != Change.removedField } }

    public var isRemoved: Bool { fields[Change.removedField]?.first?.value == .bool(true) }

    /// Every live version of the given fields (all fields when nil): the causal context of a write over them.
    public func context(for fieldNames: some Sequence<String>) -> [Dot] {
        // Sorted and without duplicates (a change that wrote several fields is one dot): a sorted array
        // rather than a Set, as a context holds a handful of dots.
        var dots: [Dot] = []
        for field in fieldNames {
            for version in fields[field] ?? [] { dots.append(version.dot) }
        }
        guard dots.count > 1 else { return dots }
        dots.sort()
        var unique = 1
        for position in 1..<dots.count where dots[position] != dots[unique - 1] {
            dots[unique] = dots[position]
            unique += 1
        }
        dots.removeLast(dots.count - unique)
        return dots
    }

    public var allDots: [Dot] { context(for: fields.keys) }

    /// Open conflicts, derived from the state alone so every replica lists the same ones.
    public func conflicts(of record: RecordKey) -> [ConflictSummary] {
        var result: [ConflictSummary] = []
        for field in fields.keys.sorted() {
            let versions = fields[field]!
            if Set(versions.map(\.value)).count > 1 {
                result.append(summary(record, field, .field, winner: versions[0], others: Array(versions.dropFirst())))
            }
        }
        if isRemoved {
            let observed = Set(fields[Change.removedField]!.filter { $0.value == .bool(true) }.flatMap(\.observed))
            let removal = fields[Change.removedField]![0]
            for field in fields.keys.sorted() where field != Change.removedField {
                let unobserved = fields[field]!.filter { !observed.contains($0.dot) }
                if !unobserved.isEmpty {
                    result.append(summary(record, field, .removal, winner: removal, others: unobserved))
                }
            }
        }
        return result
    }

    private func summary(
        _ record: RecordKey, _ field: String, _ kind: ConflictSummary.Kind, winner: Version, others: [Version]
    ) -> ConflictSummary {
        func convert(_ version: Version) -> ConflictSummary.Version {
            .init(value: version.value, origin: version.dot.origin.hex, seq: version.dot.seq, time: version.time)
        }
        return ConflictSummary(record: record, field: field, kind: kind, winner: convert(winner), others: others.map(convert))
    }
}
