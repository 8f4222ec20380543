import NAPModel

/// The binary blobs the store keeps: a record's state and a change's body. Nodes inside are named by the
/// replica's local origin index; these never leave the node (the wire format names nodes by id).
enum StoredEncoding {
    struct UnknownOrigin: Error {}

    static func encode(_ state: RecordState, index: (NodeID) -> Int64) -> [UInt8] {
        // Fields go out in the state's order, by name; the reader also accepts any order (states written
        // before were in dictionary order).
        var writer = BinaryWriter(capacity: 256)
        writer.varint(state.entries.count)
        for entry in state.entries {
            writer.string(entry.name)
            writer.varint(entry.versions.count)
            for version in entry.versions {
                writer.varint(UInt64(index(version.dot.origin)))
                writer.varint(version.dot.seq)
                writer.signed(version.time)
                writer.value(version.value)
                writer.varint(version.observed.count)
                for dot in version.observed {
                    writer.varint(UInt64(index(dot.origin)))
                    writer.varint(dot.seq)
                }
            }
        }
        return writer.bytes
    }

    static func decodeState(_ bytes: [UInt8], node: (Int64) -> NodeID?) throws -> RecordState {
        var reader = BinaryReader(bytes)
        var entries: [RecordState.Field] = []
        var sorted = true
        let fieldCount = try reader.count(max: bytes.count)
        entries.reserveCapacity(fieldCount)
        for _ in 0..<fieldCount {
            let name = try reader.string()
            let count = try reader.count(max: bytes.count)
            var versions: [RecordState.Version] = []
            versions.reserveCapacity(count)
            for _ in 0..<count {
                let dot = try decodeDot(&reader, node: node)
                let time = try reader.signed()
                let value = try reader.value()
                let observedCount = try reader.count(max: bytes.count)
                var observed: [Dot] = []
                for _ in 0..<observedCount { observed.append(try decodeDot(&reader, node: node)) }
                versions.append(.init(dot: dot, time: time, value: value, observed: observed))
            }
            if let last = entries.last, last.name >= name { sorted = false }
            entries.append(RecordState.Field(name: name, versions: versions))
        }
        if sorted { return RecordState(sortedEntries: entries) }
        // A later field of the same name wins, as it did when states were read into a dictionary.
        return RecordState(fields: Dictionary(entries.map { ($0.name, $0.versions) }, uniquingKeysWith: { $1 }))
    }

    static func encodeBody(_ change: Change, index: (NodeID) -> Int64) -> [UInt8] {
        var writer = BinaryWriter(capacity: 64)
        writer.assignments(change.assignments)
        writer.varint(change.supersedes.count)
        for dot in change.supersedes {
            writer.varint(UInt64(index(dot.origin)))
            writer.varint(dot.seq)
        }
        return writer.bytes
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
        columns.beginChange(origin: origin, seq: entry.seq, time: entry.time, record: entry.recordText, assignments: count)
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
        let index = try reader.varint()
        guard let origin = node(Int64(index)) else { throw UnknownOrigin() }
        return Dot(origin: origin, seq: try reader.varint())
    }
}
