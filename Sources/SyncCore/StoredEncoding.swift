import NAPModel

/// The binary blobs the store keeps: a record's state and a change's body. Nodes inside are named by the
/// replica's local origin index; these never leave the node (the wire format names nodes by id).
enum StoredEncoding {
    /// Written in place of a version's origin index (which starts at 1): the version comes from the same change as
    /// the slot stored before it, and only its value follows. A record's fields are mostly written by one change
    /// (all of them when it is created); storing that change's origin, sequence number, time and context once
    /// takes about 50 bytes off an intervention's row, and a row's size decides how many pages a batch of writes
    /// dirties (docs/benchmarks.md, "Where a batch's pages go"). States stored before always name the origin.
    static let previousSlotsChange: UInt64 = 0

    static func encode(_ state: RecordState, index: (NodeID) -> Int64) -> [UInt8] {
        // Fields go out in the state's order, by name, each with its count of versions; the reader also accepts
        // any order of fields (states written before were in dictionary order).
        let slots = state.slots
        var writer = BinaryWriter(capacity: 64 * slots.count + 8)
        var fieldCount = 0
        for position in slots.indices where position == 0 || slots[position - 1].field != slots[position].field { fieldCount += 1 }
        writer.varint(fieldCount)
        var position = 0
        while position < slots.endIndex {
            let field = slots[position].field
            var end = position + 1
            while end < slots.endIndex, slots[end].field == field { end += 1 }
            StoredFieldName.write(field, to: &writer)
            writer.varint(end - position)
            // By index, reading each version in place: copying a slot out retains its field, value and context.
            for slotIndex in position..<end {
                if slotIndex > 0, slots[slotIndex].version.sharesChange(with: slots[slotIndex - 1].version) {
                    writer.varint(Self.previousSlotsChange)
                    writer.value(slots[slotIndex].version.value)
                    continue
                }
                writer.varint(UInt64(index(slots[slotIndex].version.dot.origin)))
                writer.varint(slots[slotIndex].version.dot.seq)
                writer.signed(slots[slotIndex].version.time)
                writer.value(slots[slotIndex].version.value)
                writer.varint(slots[slotIndex].version.observed.count)
                for dot in slots[slotIndex].version.observed {
                    writer.varint(UInt64(index(dot.origin)))
                    writer.varint(dot.seq)
                }
            }
            position = end
        }
        return writer.bytes
    }

    /// Reads a stored state; one that cannot be read is damage (`ReplicaError.damagedReplica`): this node wrote it.
    static func decodeState(_ bytes: [UInt8], node: (Int64) -> NodeID?) throws -> RecordState {
        do {
            return try readState(bytes, node: node)
        } catch let error as BinaryReader.Error {
            throw ReplicaError.damagedReplica(reason: "a stored record state cannot be read (\(error))")
        }
    }

    private static func readState(_ bytes: [UInt8], node: (Int64) -> NodeID?) throws -> RecordState {
        var reader = BinaryReader(bytes)
        var slots: [RecordState.Slot] = []
        var previous: String?
        // Where each stored field's versions start, for a state whose fields are out of order: made when that is
        // first seen. Up to there the names increased, so each field before is a run of one name.
        var starts: [Int]?
        let fieldCount = try reader.count(max: bytes.count)
        slots.reserveCapacity(fieldCount)
        for _ in 0..<fieldCount {
            let name = try StoredFieldName.readText(&reader, in: bytes)
            let count = try reader.count(max: bytes.count)
            let start = slots.count
            for _ in 0..<count {
                let origin = try reader.varint()
                if origin == previousSlotsChange {
                    guard var version = slots.last?.version else {
                        throw ReplicaError.damagedReplica(reason: "a stored record state's first version refers to a version before it")
                    }
                    version.value = try reader.value()
                    slots.append(RecordState.Slot(field: name, version: version))
                    continue
                }
                let dot = try decodeDot(origin: origin, &reader, node: node)
                let time = try reader.signed()
                let value = try reader.value()
                let observedCount = try reader.count(max: bytes.count)
                var observed: [Dot] = []
                for _ in 0..<observedCount { observed.append(try decodeDot(&reader, node: node)) }
                slots.append(RecordState.Slot(field: name, version: .init(dot: dot, time: time, value: value, observed: observed)))
            }
            if starts == nil, let previous, previous >= name {
                starts = slots[..<start].indices.filter { $0 == 0 || slots[$0 - 1].field != slots[$0].field }
            }
            starts?.append(start)
            previous = name
        }
        // As `PlainStoredState` refuses it: bytes after the last field are damage, which a write would drop.
        guard reader.isAtEnd else {
            throw ReplicaError.damagedReplica(reason: "a stored record state has bytes left over after its last field (\(reader.remaining) of \(bytes.count))")
        }
        guard let starts else { return RecordState(sortedSlots: slots) }
        // A later field of the same name wins, as it did when states were read into a dictionary.
        var fields: [String: [RecordState.Version]] = [:]
        for (number, start) in starts.enumerated() where start < slots.count {
            let end = number + 1 < starts.count ? starts[number + 1] : slots.count
            fields[slots[start].field] = slots[start..<end].map(\.version)
        }
        return RecordState(fields: fields)
    }

    static func encodeBody(_ change: Change, index: (NodeID) -> Int64) -> [UInt8] {
        encodeBodyAndAssignmentsEnd(change, index: index).bytes
    }

    /// The stored body, and where its assignments end: they are the same bytes as in the change's canonical form
    /// (`ChangeChain.digest(_:encodedAssignments:)`).
    static func encodeBodyAndAssignmentsEnd(_ change: Change, index: (NodeID) -> Int64) -> (bytes: [UInt8], assignmentsEnd: Int) {
        var writer = BinaryWriter(capacity: 64)
        writer.assignments(change.assignments)
        let assignmentsEnd = writer.bytes.count
        appendContext(change.supersedes, to: &writer, index: index)
        return (writer.bytes, assignmentsEnd)
    }

    /// `encodeBodyAndAssignmentsEnd` for a change whose assignments the caller encoded already: `pairs` holds each
    /// field name and value as `BinaryWriter.assignments` lays them out after the count.
    static func encodeBody(
        assignmentCount: Int, pairs: [UInt8], supersedes: [Dot], index: (NodeID) -> Int64
    ) -> (bytes: [UInt8], assignmentsEnd: Int) {
        var writer = BinaryWriter(capacity: pairs.count + 8 + 12 * supersedes.count)
        writer.varint(assignmentCount)
        pairs.withUnsafeBufferPointer { writer.raw($0) }
        let assignmentsEnd = writer.bytes.count
        appendContext(supersedes, to: &writer, index: index)
        return (writer.bytes, assignmentsEnd)
    }

    private static func appendContext(_ supersedes: [Dot], to writer: inout BinaryWriter, index: (NodeID) -> Int64) {
        writer.varint(supersedes.count)
        for dot in supersedes {
            writer.varint(UInt64(index(dot.origin)))
            writer.varint(dot.seq)
        }
    }

    static func decodeBody(_ bytes: [UInt8], node: (Int64) -> NodeID?) throws -> (assignments: [Assignment], supersedes: [Dot]) {
        var reader = BinaryReader(bytes)
        return try decodeBody(&reader, node: node)
    }

    /// Reads a stored body from `reader` (bounded to it, as `ChangeBlock.Reader` hands it out).
    static func decodeBody(_ reader: inout BinaryReader, node: (Int64) -> NodeID?) throws -> (assignments: [Assignment], supersedes: [Dot]) {
        let count = try reader.count(max: reader.remaining)
        var assignments: [Assignment] = []
        assignments.reserveCapacity(count)
        for _ in 0..<count {
            let field = try reader.string()
            assignments.append(Assignment(field: field, value: try reader.value()))
        }
        let dotCount = try reader.count(max: reader.remaining)
        var supersedes: [Dot] = []
        supersedes.reserveCapacity(dotCount)
        for _ in 0..<dotCount { supersedes.append(try decodeDot(&reader, node: node)) }
        return (assignments, supersedes)
    }

    /// Appends a stored change to a change set being built, copying its field names and values as they are
    /// stored (both encode values alike) rather than decoding them; dots keep the local origin index, which
    /// `ChangeSetColumns` maps to the set's own numbering.
    static func appendStoredChange(origin: Int64, entry: ChangeBlock.Entry, to columns: inout ChangeSetColumns<Int64>) throws {
        var reader = entry.body
        let count = try reader.count(max: reader.remaining)
        entry.record.withUnsafeBufferPointer {
            columns.beginChange(origin: origin, seq: entry.seq, time: entry.time, record: $0, assignments: count)
        }
        for _ in 0..<count {
            let field = try reader.stringBytes()
            columns.assignment(field: field, encodedValue: try reader.valueBytes())
        }
        let dotCount = try reader.count(max: reader.remaining)
        var dots: [(origin: Int64, seq: UInt64)] = []
        dots.reserveCapacity(dotCount)
        for _ in 0..<dotCount { dots.append((Int64(try reader.varint()), try reader.varint())) }
        columns.context(dots)
    }

    private static func decodeDot(_ reader: inout BinaryReader, node: (Int64) -> NodeID?) throws -> Dot {
        try decodeDot(origin: try reader.varint(), &reader, node: node)
    }

    /// The rest of a dot whose origin index was read already.
    private static func decodeDot(origin index: UInt64, _ reader: inout BinaryReader, node: (Int64) -> NodeID?) throws -> Dot {
        guard let local = Int64(exactly: index), let origin = node(local) else {
            throw ReplicaError.damagedReplica(reason: "a stored record state or change names local origin \(index), which the origin table does not hold")
        }
        return Dot(origin: origin, seq: try reader.varint())
    }
}
