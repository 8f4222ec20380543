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

    /// One field's live versions, winner first.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var versions: [Version]
    }

    /// The fields, sorted by name. A record has a handful of fields with short names: searching a small sorted
    /// array costs less than hashing into a dictionary, and the state is one allocation rather than a table.
    public private(set) var entries: [Field]

    public init(fields: [String: [Version]] = [:]) {
        entries = fields.map { Field(name: $0.key, versions: $0.value) }.sorted { $0.name < $1.name }
    }

    /// A state from fields already sorted by name with no name twice (`StoredEncoding` checks, and falls back to
    /// `init(fields:)` when they are not).
    init(sortedEntries: [Field]) {
        entries = sortedEntries
    }

    /// Live versions per field, winner first.
    public var fields: [String: [Version]] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.versions) })
    }

    /// The live versions of `field`, winner first; nil when the record never had it.
    public func versions(of field: String) -> [Version]? {
        for entry in entries where entry.name == field { return entry.versions }
        return nil
    }

    /// Applies a change whose causal context this replica already holds.
    public mutating func apply(_ change: Change) {
        let superseded = change.supersedes
        let dot = change.dot
        // A new record gets all its fields at once: size the array once rather than grow it field by field.
        if entries.isEmpty { entries.reserveCapacity(change.assignments.count) }
        for assignment in change.assignments {
            let observed = assignment.field == Change.removedField && assignment.value == .bool(true) ? superseded : []
            let version = Version(dot: dot, time: change.time, value: assignment.value, observed: observed)
            var position = entries.endIndex
            for index in entries.indices where entries[index].name >= assignment.field {
                position = index
                break
            }
            if position < entries.endIndex, entries[position].name == assignment.field {
                // In place: the field's array is mutated inside the state, not copied out and stored back.
                Self.add(version, to: &entries[position].versions, superseding: superseded)
            } else {
                entries.insert(Field(name: assignment.field, versions: [version]), at: position)
            }
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
        for entry in entries where entry.name != Change.removedField {
            if let winner = entry.versions.first { result[entry.name] = winner.value }
        }
        return result
    }

    /// False when no conflict is possible: every field has one version and the record is not removed.
    var mayConflict: Bool {
        for entry in entries where entry.versions.count > 1 { return true }
        return isRemoved
    }

    public var exists: Bool { entries.contains { $0.name != Change.removedField } }

    public var isRemoved: Bool { versions(of: Change.removedField)?.first?.value == .bool(true) }

    /// Every live version of the given fields (all fields when nil): the causal context of a write over them.
    public func context(for fieldNames: some Sequence<String>) -> [Dot] {
        // Sorted and without duplicates (a change that wrote several fields is one dot): a sorted array
        // rather than a Set, as a context holds a handful of dots.
        var dots: [Dot] = []
        for field in fieldNames {
            for version in versions(of: field) ?? [] { dots.append(version.dot) }
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

    public var allDots: [Dot] { context(for: entries.map(\.name)) }

    /// Open conflicts, derived from the state alone so every replica lists the same ones.
    public func conflicts(of record: RecordKey) -> [ConflictSummary] {
        var result: [ConflictSummary] = []
        for entry in entries where Set(entry.versions.map(\.value)).count > 1 {
            result.append(summary(record, entry.name, .field, winner: entry.versions[0], others: Array(entry.versions.dropFirst())))
        }
        if isRemoved, let removals = versions(of: Change.removedField) {
            let observed = Set(removals.filter { $0.value == .bool(true) }.flatMap(\.observed))
            for entry in entries where entry.name != Change.removedField {
                let unobserved = entry.versions.filter { !observed.contains($0.dot) }
                if !unobserved.isEmpty {
                    result.append(summary(record, entry.name, .removal, winner: removals[0], others: unobserved))
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
