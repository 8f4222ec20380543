import NAPModel

/// A change set's payload as it is built: the six columns of protocol.md §2.2 and the origins its header lists,
/// in the order the columns refer to them.
///
/// Two writers fill it. `ChangeSetFormat.encode` appends `Change`s; `Replica` appends stored rows as they are
/// (`appendStored`), copying field names and value bytes without decoding them, which is what a node serving a
/// pull spends most of its time on otherwise. Both produce the same bytes for the same changes. `Origin` is how
/// the writer names nodes: `NodeID`, or the replica's local origin index.
struct ChangeSetColumns<Origin: Hashable> {
    /// An origin the set names: the run of its changes, or `count == 0` when it is named only in a context.
    struct OriginRun {
        var origin: Origin
        var firstSeq: UInt64
        var count: UInt64

        var lastSeq: UInt64 { firstSeq + count - 1 }
    }

    /// In the order of first appearance: origins of changes, then origins named only in contexts (added by
    /// `payload()`).
    private(set) var origins: [OriginRun] = []
    private(set) var changeCount = 0
    private(set) var assignmentCount = 0
    private var originIndex: [Origin: Int] = [:]
    private var originColumn = BinaryWriter(), timeColumn = BinaryWriter(), recordColumn = BinaryWriter()
    private var assignmentColumn = BinaryWriter(), valueColumn = BinaryWriter()
    private var previousTime: Int64 = 0
    private var records = RecordNumbering()
    private var fieldNames = FieldNameTable()
    /// Contexts are written last: a context may name an origin with no change in the set, and such origins are
    /// numbered after every origin that has changes.
    private var contextCounts: [Int] = []
    private var contextDots: [(origin: Origin, seq: UInt64)] = []

    init(expectedChanges: Int = 0) {
        contextCounts.reserveCapacity(expectedChanges)
    }

    /// Starts a change: its origin, time and record. The caller then adds its `assignments` and context.
    mutating func beginChange(origin: Origin, seq: UInt64, time: Int64, record: String, assignments: Int) {
        var record = record
        record.withUTF8 { beginChange(origin: origin, seq: seq, time: time, record: $0, assignments: assignments) }
    }

    /// `beginChange` with the record key as its UTF-8 bytes.
    mutating func beginChange(origin: Origin, seq: UInt64, time: Int64, record: UnsafeBufferPointer<UInt8>, assignments: Int) {
        let index = intern(origin)
        if origins[index].count == 0 { origins[index].firstSeq = seq }
        origins[index].count += 1
        originColumn.varint(index)
        timeColumn.signed(time &- previousTime)
        previousTime = time
        let hash = RecordNumbering.hash(record)
        if let known = records.number(of: record, hash: hash, in: recordColumn.bytes) {
            recordColumn.varint(known + 1)
        } else {
            // 0 introduces a record key not seen before in this set; later references use its position + 1.
            recordColumn.varint(0)
            recordColumn.varint(record.count)
            let start = recordColumn.bytes.count
            recordColumn.raw(record)
            records.add(hash: hash, at: start..<recordColumn.bytes.count)
        }
        assignmentColumn.varint(assignments)
        assignmentCount += assignments
        changeCount += 1
    }

    /// One assignment of the current change: the field name's UTF-8 bytes and the value as `BinaryWriter.value`
    /// encodes it.
    mutating func assignment(field: some Collection<UInt8>, encodedValue: some Collection<UInt8>) {
        referToField(field)
        valueColumn.raw(encodedValue)
    }

    mutating func assignment(field: String, value: FieldValue) {
        referToField(field.utf8)
        valueColumn.value(value)
    }

    /// The field's number if the set has named it before, else 0 and its name.
    private mutating func referToField(_ field: some Collection<UInt8>) {
        if let index = fieldNames.index(of: field) {
            assignmentColumn.varint(index + 1)
        } else {
            assignmentColumn.varint(0)
            assignmentColumn.varint(field.count)
            assignmentColumn.raw(field)
            fieldNames.add(field)
        }
    }

    /// The current change's context, after its assignments.
    mutating func context(_ dots: some Sequence<(origin: Origin, seq: UInt64)>) {
        let before = contextDots.count
        contextDots.append(contentsOf: dots)
        contextCounts.append(contextDots.count - before)
    }

    /// The payload, its columns in order; adds the origins named only in contexts to `origins`.
    mutating func payload() -> [UInt8] {
        var contextColumn = BinaryWriter(capacity: contextCounts.count + contextDots.count * 4)
        var position = 0
        for count in contextCounts {
            contextColumn.varint(count)
            for dot in contextDots[position..<(position + count)] {
                contextColumn.varint(intern(dot.origin))
                contextColumn.varint(dot.seq)
            }
            position += count
        }
        let columns = [originColumn, timeColumn, recordColumn, assignmentColumn, valueColumn, contextColumn]
        var payload = BinaryWriter(capacity: columns.reduce(64) { $0 + $1.bytes.count })
        for column in columns { payload.section(column) }
        return payload.bytes
    }

    private mutating func intern(_ origin: Origin) -> Int {
        // A set names a few origins, looked up once per change and per dot: a short scan beats hashing.
        if origins.count <= 16 {
            for index in origins.indices where origins[index].origin == origin { return index }
        } else if let index = originIndex[origin] {
            return index
        }
        originIndex[origin] = origins.count
        origins.append(OriginRun(origin: origin, firstSeq: 0, count: 0))
        return origins.count - 1
    }
}

/// The field names a change set has introduced, in order. A set names a handful of fields, so they are found
/// by comparing bytes along a short array rather than by hashing each name; past `linearLimit` names (a set
/// built from unusual input) a dictionary takes over.
private struct FieldNameTable {
    private var names: [[UInt8]] = []
    private var lookup: [[UInt8]: Int] = [:]
    private static let linearLimit = 32

    func index(of name: some Collection<UInt8>) -> Int? {
        if names.count > Self.linearLimit {
            return name.withContiguousStorageIfAvailable { lookup[Array($0)] } ?? lookup[Array(name)]
        }
        let found = name.withContiguousStorageIfAvailable { bytes in
            names.firstIndex { $0.count == bytes.count && $0.withUnsafeBufferPointer { $0.elementsEqual(bytes) } }
        }
        return found ?? names.firstIndex { $0.elementsEqual(name) }
    }

    mutating func add(_ name: some Collection<UInt8>) {
        lookup[Array(name)] = names.count
        names.append(Array(name))
    }
}
