import NAPModel

extension ReplicaTransaction {
    /// What `setPlain` did.
    enum PlainWrite {
        /// The record is not plain (`PlainStoredState`): nothing was done, the general path must write it.
        case notPlain
        /// Every field already held its value: no change.
        case unchanged
        case written(Change)
    }

    /// `LocalWriter.set` on the stored bytes of a plain record (or a new one): the fields whose value differs make
    /// one change, whose context is the versions they replace, and the state's bytes are rewritten in place
    /// instead of decoded, applied to and encoded again. The record's ownership is the caller's to check.
    mutating func setPlain(_ record: RecordKey, fields: SortedFields) throws -> PlainWrite {
        guard let (position, plain) = try plainState(of: record) else { return .notPlain }
        // Read into the buffers of the last write, in place: nothing else holds them between writes.
        guard plainFields.read(fields, against: plain) else { return .notPlain }
        guard !plainFields.assignments.isEmpty else { return .unchanged }
        // A version naming an origin the replica does not hold is damage, which reading the state would report.
        var known: UInt64 = 0
        for field in plain.fields where field.origin != known {
            guard let local = Int64(exactly: field.origin), origins.node(at: local) != nil else {
                throw ReplicaError.damagedReplica(reason: "the stored state of \(record) names local origin \(field.origin), which the origin table does not hold")
            }
            known = field.origin
        }
        var supersedes: [Dot] = []
        supersedes.reserveCapacity(plainFields.replaced.count)
        for (origin, seq) in plainFields.replaced { supersedes.append(Dot(origin: origins.node(at: Int64(origin))!, seq: seq)) }
        let change = try nextLocalChange(
            record: record, assignments: plainFields.assignments, supersedes: RecordState.sortedWithoutDuplicates(supersedes))
        let (body, digest) = localBodyAndDigest(of: change, encodedPairs: plainFields.bytes)
        try append(change, digest: digest, prepared: PreparedChange(chain: nil, body: body), local: true)
        let version = PlainStoredState.Version(origin: origins.index(of: identity.nodeID)!, seq: change.seq, time: change.time)
        replaceState(at: position, with: plain.rewritten(plainFields.assigned, in: plainFields.bytes, version: version))
        return .written(change)
    }
}

/// The fields of a local write whose value differs from a plain state's, sorted by name, encoded once: their names
/// and values as a change's assignments lay them out (`bytes`), the assignments, where each is in `bytes`, and the
/// versions they replace (origin index and sequence number). Values are compared with the stored ones in place,
/// so an unchanged field is never encoded.
struct PlainFields {
    private(set) var assignments: [Assignment] = []
    private(set) var assigned: [PlainStoredState.Assigned] = []
    private(set) var replaced: [(origin: UInt64, seq: UInt64)] = []
    private var writer = BinaryWriter()
    var bytes: [UInt8] { writer.bytes }
    /// The names of the last write's fields that were checked, and the numbers that name them in a stored state:
    /// the records of a batch have one kind, so most names equal the last ones, which compare at once (the model's
    /// names are short enough for Swift to keep inline) where a check and a lookup would hash them.
    private var checkedNames: [String] = []
    private var checkedNumbers: [Int?] = []

    /// Reads `fields` against `plain`, in buffers that keep their capacity from one write to the next (the
    /// assignments go into the change, so they are new each time). False when a field name is not ASCII
    /// or the removal marker: the general path writes those.
    mutating func read(_ fields: SortedFields, against plain: PlainStoredState) -> Bool {
        assignments = []
        assignments.reserveCapacity(fields.count)
        assigned.removeAll(keepingCapacity: true)
        replaced.removeAll(keepingCapacity: true)
        writer.removeAll()
        var searched = 0
        for (offset, (field, value)) in fields.enumerated() {
            guard let number = checkedNumber(of: field, at: offset) else { return false }
            let index = plain.index(of: field, number: number, from: &searched)
            if let index {
                if plain.holdsEncoding(of: value, at: index) || plain.holdsEqualText(value, at: index) { continue }
                replaced.append((plain.fields[index].origin, plain.fields[index].seq))
            }
            let start = writer.bytes.count
            writer.string(field)
            let name = (writer.bytes.count - field.utf8.count)..<writer.bytes.count
            writer.value(value)
            assigned.append(
                PlainStoredState.Assigned(
                    stored: start..<name.upperBound, name: name, value: name.upperBound..<writer.bytes.count,
                    number: number, replaces: index != nil))
            assignments.append(Assignment(field: field, value: value))
        }
        return true
    }

    /// The number of `field`, the field at `offset` of a write, in a stored state (nil inside when it has none);
    /// nil when the name is not ASCII, or is the removal marker.
    private mutating func checkedNumber(of field: String, at offset: Int) -> Int?? {
        // As bytes: `String`'s `==` would take the Kelvin sign for a K, and let a name that is not ASCII through.
        if offset < checkedNames.count, PlainStoredState.sameBytes(checkedNames[offset], field) { return checkedNumbers[offset] }
        // Not empty: `LocalWriter.set`, the one caller, refuses an empty name.
        guard field != Change.removedField, PlainStoredState.isASCII(field) else { return nil }
        let number = StoredFieldName.number(of: field)
        if offset < checkedNames.count {
            checkedNames[offset] = field
            checkedNumbers[offset] = number
        } else if offset == checkedNames.count {
            checkedNames.append(field)
            checkedNumbers.append(number)
        }
        return .some(number)
    }
}
