import NAPModel

/// Reads a change set's changes from its inflated payload, a batch at a time (see `ChangeSetFormat.open`).
///
/// The payload holds one column per kind of datum (origins, times, records, assignments, values, contexts);
/// a change takes the next items of every column, so the columns are read in step. Records and field names
/// are written once and referred to by number afterwards, which is why batches must be read in order.
struct ChangeDecoder: Sendable {
    let header: ChangeSetFormat.Header
    private let sender: String
    private var originColumn, timeColumn, recordColumn, assignmentColumn, valueColumn, contextColumn: BinaryReader
    private var nextSeq: [UInt64]
    private var remaining: [UInt64]
    private var records: [RecordKey] = []
    private var fields: [String] = []
    private var time: Int64 = 0
    private var assignmentTotal = 0
    private(set) var decodedCount = 0

    init(_ payload: [UInt8], header: ChangeSetFormat.Header, sender: String) throws {
        self.header = header
        self.sender = sender
        var reader = BinaryReader(payload)
        originColumn = try reader.section()
        timeColumn = try reader.section()
        recordColumn = try reader.section()
        assignmentColumn = try reader.section()
        valueColumn = try reader.section()
        contextColumn = try reader.section()
        nextSeq = header.origins.map(\.firstSeq)
        remaining = header.origins.map(\.count)
        guard reader.isAtEnd else { throw malformed("trailing bytes after the payload") }
    }

    /// Whether every change has been read and the payload checked to its end.
    var isAtEnd: Bool { decodedCount == header.changeCount }

    private func malformed(_ reason: String) -> ReplicaError { .malformedChangeSet(sender: sender, reason: reason) }

    /// The next changes, at most `limit`; after the last one, checks that nothing is left over.
    mutating func next(upTo limit: Int) throws(ReplicaError) -> [Change] {
        var recordNumbers: [Int32] = []
        return try next(upTo: limit, recordNumbers: &recordNumbers)
    }

    /// As `next(upTo:)`, appending to `recordNumbers` each change's record as the set numbers it (from 0, in
    /// order of first appearance), so that the writer can find a record it has seen in the set without hashing
    /// its key. A set that names one key twice as new gives it two numbers.
    mutating func next(upTo limit: Int, recordNumbers: inout [Int32]) throws(ReplicaError) -> [Change] {
        do {
            return try read(upTo: limit, recordNumbers: &recordNumbers)
        } catch let error as ReplicaError {
            throw error
        } catch {
            throw malformed("\(error)")
        }
    }

    private mutating func read(upTo limit: Int, recordNumbers: inout [Int32]) throws -> [Change] {
        let count = min(limit, header.changeCount - decodedCount)
        var changes: [Change] = []
        changes.reserveCapacity(count)
        recordNumbers.reserveCapacity(recordNumbers.count + count)
        for _ in 0..<count {
            let originIndex = try originColumn.count(max: header.origins.count - 1)
            guard remaining[originIndex] > 0 else { throw malformed("more changes for an origin than its range") }
            let seq = nextSeq[originIndex]
            nextSeq[originIndex] += 1
            remaining[originIndex] -= 1
            time = time &+ (try timeColumn.signed())
            guard time <= Change.latestTime else { throw malformed("a change's time is after the year 9999") }
            let recordReference = try recordColumn.count(max: records.count)
            let record: RecordKey
            if recordReference == 0 {
                let text = try recordColumn.string()
                guard let key = RecordKey(text) else { throw malformed("malformed record key '\(text.prefix(80))'") }
                records.append(key)
                record = key
                recordNumbers.append(Int32(records.count - 1))
            } else {
                record = records[recordReference - 1]
                recordNumbers.append(Int32(recordReference - 1))
            }
            let assignmentCount = try assignmentColumn.count(max: Change.maxAssignments)
            guard assignmentCount > 0 else { throw malformed("a change assigns no field") }
            var assignments: [Assignment] = []
            assignments.reserveCapacity(assignmentCount)
            for _ in 0..<assignmentCount {
                let fieldReference = try assignmentColumn.count(max: fields.count)
                let field: String
                if fieldReference == 0 {
                    field = try assignmentColumn.string()
                    guard !field.isEmpty, field.utf8.count <= Change.maxFieldNameBytes else { throw malformed("invalid field name") }
                    fields.append(field)
                } else {
                    field = fields[fieldReference - 1]
                }
                assignments.append(Assignment(field: field, value: try valueColumn.value()))
            }
            assignmentTotal += assignmentCount
            let contextCount = try contextColumn.count(max: Change.maxContext)
            var supersedes: [Dot] = []
            supersedes.reserveCapacity(contextCount)
            for _ in 0..<contextCount {
                let index = try contextColumn.count(max: header.origins.count - 1)
                let dotSeq = try contextColumn.varint()
                // Sequence numbers start at 1: a context naming change 0 of an origin names no change, and would pass
                // the check that the receiver holds it for an origin it has never seen.
                guard dotSeq >= 1 else { throw malformed("a change's context names change 0 of an origin") }
                supersedes.append(Dot(origin: header.origins[index].node, seq: dotSeq))
            }
            changes.append(
                Change(
                    origin: header.origins[originIndex].node, seq: seq, time: time, record: record, assignments: assignments,
                    supersedes: supersedes))
        }
        decodedCount += count
        if isAtEnd { try checkEnd() }
        return changes
    }

    private mutating func checkEnd() throws {
        for var column in [originColumn, timeColumn, recordColumn, assignmentColumn, valueColumn, contextColumn] where !column.isAtEnd {
            _ = try column.byte()
            throw malformed("trailing bytes in a column")
        }
        guard assignmentTotal == header.assignmentCount else { throw malformed("assignment count does not match the header") }
    }
}
