import NAPModel

/// The binary blobs the store keeps: a record's state and a change's body. Nodes inside are named by the
/// replica's local origin index; these never leave the node (the wire format names nodes by id).
enum StoredEncoding {
    struct UnknownOrigin: Error {}

    static func encode(_ state: RecordState, index: (NodeID) -> Int64) -> [UInt8] {
        // The order of fields does not matter to the reader (it builds a dictionary), so it is not sorted.
        var writer = BinaryWriter(capacity: 256)
        writer.varint(state.fields.count)
        for (field, versions) in state.fields {
            writer.string(field)
            writer.varint(versions.count)
            for version in versions {
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
        var fields: [String: [RecordState.Version]] = [:]
        let fieldCount = try reader.count(max: bytes.count)
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
            fields[name] = versions
        }
        return RecordState(fields: fields)
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
        let count = try reader.count(max: bytes.count)
        var assignments: [Assignment] = []
        assignments.reserveCapacity(count)
        for _ in 0..<count {
            let field = try reader.string()
            assignments.append(Assignment(field: field, value: try reader.value()))
        }
        let dotCount = try reader.count(max: bytes.count)
        var supersedes: [Dot] = []
        supersedes.reserveCapacity(dotCount)
        for _ in 0..<dotCount { supersedes.append(try decodeDot(&reader, node: node)) }
        return (assignments, supersedes)
    }

    private static func decodeDot(_ reader: inout BinaryReader, node: (Int64) -> NodeID?) throws -> Dot {
        let index = try reader.varint()
        guard let origin = node(Int64(index)) else { throw UnknownOrigin() }
        return Dot(origin: origin, seq: try reader.varint())
    }
}
