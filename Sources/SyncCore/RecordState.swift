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

        /// Whether both versions were written by one change: same dot, same time, same context of a removal.
        func sharesChange(with other: Version) -> Bool {
            dot == other.dot && time == other.time && observed == other.observed
        }

        /// The order that picks the winner, the same on every replica: later hybrid time first, then the higher
        /// origin node id, then the higher sequence number.
        static func wins(_ lhs: Version, over rhs: Version) -> Bool {
            wins(lhs.time, lhs.dot, over: rhs.time, rhs.dot)
        }

        /// The same order on the parts it reads, for callers that read them in place.
        static func wins(_ lhsTime: Int64, _ lhsDot: Dot, over rhsTime: Int64, _ rhsDot: Dot) -> Bool {
            // `NodeID`'s order is the order of its hex string, which is what the rule names.
            (lhsTime, lhsDot.origin, lhsDot.seq) > (rhsTime, rhsDot.origin, rhsDot.seq)
        }
    }

    /// One field's live versions, winner first.
    public struct Field: Sendable, Hashable {
        public var name: String
        public var versions: [Version]
    }

    /// A live version of one field.
    struct Slot: Sendable, Hashable {
        var field: String
        var version: Version
    }

    /// Every live version of every field, sorted by field name, and within a field winner first. One flat array
    /// rather than an array of versions per field: a record has a handful of fields with short names, each
    /// normally with one version, so searching it costs less than hashing, and the whole state is one
    /// allocation, which matters when an apply builds and frees a state for every record it touches.
    private(set) var slots: [Slot]

    public init(fields: [String: [Version]] = [:]) {
        slots = fields.sorted { $0.key < $1.key }.flatMap { field in
            field.value.sorted(by: Version.wins).map { Slot(field: field.key, version: $0) }
        }
    }

    /// A state from slots already in order: by field name, winner first within a field (`StoredEncoding`
    /// checks the names, and falls back to `init(fields:)` when they are not sorted).
    init(sortedSlots: [Slot]) {
        slots = sortedSlots
    }

    /// The fields, sorted by name, each with its live versions, winner first.
    public var entries: [Field] {
        var fields: [Field] = []
        for slot in slots {
            if fields.last?.name == slot.field {
                fields[fields.count - 1].versions.append(slot.version)
            } else {
                fields.append(Field(name: slot.field, versions: [slot.version]))
            }
        }
        return fields
    }

    /// Live versions per field, winner first.
    public var fields: [String: [Version]] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.name, $0.versions) })
    }

    /// Where `field`'s versions are in `slots` (an empty range where they would go when it has none).
    private func range(of field: String) -> Range<Int> {
        // Read through the buffer: `slots[index].field` would copy the whole slot out first, value included.
        slots.withUnsafeBufferPointer { slots in
            var start = slots.endIndex
            for index in slots.indices where slots[index].field >= field {
                start = index
                break
            }
            var end = start
            while end < slots.endIndex, slots[end].field == field { end += 1 }
            return start..<end
        }
    }

    /// The live versions of `field`, winner first; nil when the record never had it.
    public func versions(of field: String) -> [Version]? {
        let range = range(of: field)
        return range.isEmpty ? nil : slots[range].map(\.version)
    }

    /// Applies a change whose causal context this replica already holds.
    public mutating func apply(_ change: Change) {
        var retired: [Slot] = []
        apply(change, retiring: &retired)
    }

    /// As `apply(_:)`, moving the versions the change supersedes into `retired` instead of freeing them: an apply
    /// of many changes has them freed off the writer's thread (see `ReleaseQueue`).
    mutating func apply(_ change: Change, retiring retired: inout [Slot]) {
        let superseded = change.supersedes
        let dot = change.dot
        // A new record gets all its fields at once: size the array once rather than grow it field by field.
        if slots.isEmpty { slots.reserveCapacity(change.assignments.count) }
        for assignment in change.assignments {
            let observed = assignment.field == Change.removedField && assignment.value == .bool(true) ? superseded : []
            let version = Version(dot: dot, time: change.time, value: assignment.value, observed: observed)
            // A field after every field held (each field of a new record, as changes list their fields sorted).
            if slots.isEmpty || slots.withUnsafeBufferPointer({ $0[$0.count - 1].field < assignment.field }) {
                slots.append(Slot(field: assignment.field, version: version))
                continue
            }
            var range = range(of: assignment.field)
            var index = range.lowerBound
            while !superseded.isEmpty, index < range.upperBound {
                if slots.withUnsafeBufferPointer({ superseded.contains($0[index].version.dot) }) {
                    retired.append(slots.remove(at: index))
                    range = range.lowerBound..<(range.upperBound - 1)
                } else {
                    index += 1
                }
            }
            // Winner first: after the versions that win over the new one. Appended and moved into place, as
            // `insert(_:at:)` goes through the generic `replaceSubrange`.
            let position = slots.withUnsafeBufferPointer { slots in
                var position = range.lowerBound
                while position < range.upperBound,
                    Version.wins(slots[position].version.time, slots[position].version.dot, over: version.time, version.dot)
                {
                    position += 1
                }
                return position
            }
            slots.append(Slot(field: assignment.field, version: version))
            var moving = slots.count - 1
            while moving > position {
                slots.swapAt(moving, moving - 1)
                moving -= 1
            }
        }
    }

    /// The value every replica shows for `field` (its winner), read in place; nil when the record never had it.
    func shownValue(of field: String) -> FieldValue? {
        let range = range(of: field)
        return range.isEmpty ? nil : slots.withUnsafeBufferPointer { $0[range.lowerBound].version.value }
    }

    /// The value every replica shows for each field (the winner), without the removal marker.
    public var values: RecordFields {
        var result: RecordFields = [:]
        for (index, slot) in slots.enumerated() where slot.field != Change.removedField {
            // The winner is the first of its field.
            if index == 0 || slots[index - 1].field != slot.field { result[slot.field] = slot.version.value }
        }
        return result
    }

    /// False when no conflict is possible: every field has one version and the record is not removed.
    var mayConflict: Bool {
        for index in slots.indices.dropFirst() where slots[index].field == slots[index - 1].field { return true }
        return isRemoved
    }

    /// No version of any field: the state of a record the replica does not hold.
    var isEmpty: Bool { slots.isEmpty }

    public var exists: Bool { slots.contains { $0.field != Change.removedField } }

    public var isRemoved: Bool { shownValue(of: Change.removedField) == .bool(true) }

    /// Every live version of the given fields: the causal context of a write over them.
    public func context(for fieldNames: some Sequence<String>) -> [Dot] {
        var dots: [Dot] = []
        for field in fieldNames {
            for index in range(of: field) { dots.append(slots[index].version.dot) }
        }
        return Self.sortedWithoutDuplicates(dots)
    }

    public var allDots: [Dot] { Self.sortedWithoutDuplicates(slots.map(\.version.dot)) }

    /// A change that wrote several fields is one dot: a sorted array rather than a Set, as a context holds a
    /// handful of dots.
    static func sortedWithoutDuplicates(_ dots: [Dot]) -> [Dot] {
        guard dots.count > 1 else { return dots }
        var dots = dots
        dots.sort()
        var unique = 1
        for position in 1..<dots.count where dots[position] != dots[unique - 1] {
            dots[unique] = dots[position]
            unique += 1
        }
        dots.removeLast(dots.count - unique)
        return dots
    }

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
