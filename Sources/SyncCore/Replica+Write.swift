import GRDB
import Logging
import NAPModel

/// Local writes: the one path by which a node changes its own records. Every write becomes a tracked change
/// in the same transaction as the data.
public struct LocalWriter {
    var transaction: ReplicaTransaction
    public private(set) var changes: [Change] = []

    var identity: NodeIdentity { transaction.identity }

    /// Sets fields of a record this node owns. Only fields whose shown value differs are written, so an
    /// unchanged field makes no change. Returns nil when nothing changed.
    @discardableResult
    public mutating func set(_ record: RecordKey, fields: RecordFields) throws -> Change? {
        try set(record, sortedFields: fields.sortedByName)
    }

    /// `set(_:fields:)` with the fields sorted by name, as `DepartmentRecord.sortedFields` gives them.
    @discardableResult
    public mutating func set(_ record: RecordKey, sortedFields fields: SortedFields) throws -> Change? {
        // Held to what a change set may hold (`Change.maxAssignments`), or peers would refuse the change.
        guard !record.id.isEmpty else {
            throw ReplicaError.invalid(.invalidField(field: "record id", value: record.description, expected: "an id that is not empty"))
        }
        guard fields.count <= Change.maxAssignments else {
            throw ReplicaError.invalid(
                .invalidField(field: "fields", value: "\(fields.count) fields", expected: "at most \(Change.maxAssignments) fields in one write"))
        }
        for index in fields.indices {
            // Not empty, as a change set may not name one (`ChangeDecoder`), and a stored state could not tell one
            // from a name by number (`StoredFieldName`).
            guard !fields[index].name.isEmpty, fields[index].name.utf8.count <= Change.maxFieldNameBytes else {
                throw ReplicaError.invalid(
                    .invalidField(
                        field: "field name", value: String(fields[index].name.prefix(80)),
                        expected: "a name of 1 to \(Change.maxFieldNameBytes) bytes"))
            }
            // A conformance that gets the order wrong must not write a field twice or out of order.
            if index > 0, !(fields[index - 1].name < fields[index].name) {
                return try set(record, fields: Dictionary(fields, uniquingKeysWith: { $1 }))
            }
        }
        guard record.owner == identity.owner else {
            throw ReplicaError.notOwner(node: identity.nodeID, owner: identity.owner, record: record)
        }
        // Nearly every record is plain: one version per field, never removed (see `PlainStoredState`).
        switch try transaction.setPlain(record, fields: fields) {
        case .written(let change):
            changes.append(change)
            return change
        case .unchanged:
            return nil
        case .notPlain:
            break
        }
        let state = try ownedState(record)
        guard !state.isRemoved else { throw ReplicaError.recordRemoved(record) }
        // Compared with the shown values in place rather than through `state.values`, a dictionary built per write.
        var assignments: [Assignment] = []
        assignments.reserveCapacity(fields.count)
        for (field, value) in fields where field == Change.removedField || state.shownValue(of: field) != value {
            assignments.append(Assignment(field: field, value: value))
        }
        guard !assignments.isEmpty else { return nil }
        return try write(record, assignments, supersedes: state.context(for: assignments.map(\.field)))
    }

    /// Removes a record. Its values stay as a tombstone; a concurrent change elsewhere becomes a conflict.
    @discardableResult
    public mutating func remove(_ record: RecordKey) throws -> Change {
        let state = try ownedState(record)
        guard state.exists else { throw ReplicaError.recordNotFound(record) }
        guard !state.isRemoved else { throw ReplicaError.recordRemoved(record) }
        return try write(record, [Assignment(field: Change.removedField, value: .bool(true))], supersedes: state.allDots)
    }

    /// Brings back a removed record with the values it had.
    @discardableResult
    public mutating func restore(_ record: RecordKey) throws -> Change {
        let state = try ownedState(record)
        guard state.isRemoved else { throw ReplicaError.noConflict(record: record, field: Change.removedField) }
        return try write(
            record, [Assignment(field: Change.removedField, value: .bool(false))],
            supersedes: state.context(for: [Change.removedField]))
    }

    /// Settles an open conflict on `field` with `value` (one of the versions, or a new value). The resolution
    /// supersedes every version, so it closes the conflict on every replica it reaches. For a removal
    /// conflict, `field` is `_removed`: `true` confirms the removal, `false` restores the record.
    @discardableResult
    public mutating func resolve(_ record: RecordKey, field: String, value: FieldValue) throws -> Change {
        let state = try ownedState(record)
        let open = state.conflicts(of: record)
        guard open.contains(where: { $0.field == field || (field == Change.removedField && $0.kind == .removal) }) else {
            throw ReplicaError.noConflict(record: record, field: field)
        }
        if field == Change.removedField && value == .bool(true) {
            return try write(record, [Assignment(field: field, value: value)], supersedes: state.allDots)
        }
        return try write(record, [Assignment(field: field, value: value)], supersedes: state.context(for: [field]))
    }

    private mutating func ownedState(_ record: RecordKey) throws -> RecordState {
        guard record.owner == identity.owner else {
            throw ReplicaError.notOwner(node: identity.nodeID, owner: identity.owner, record: record)
        }
        return try transaction.state(of: record)
    }

    /// Makes room for a batch of `count` records, which a batch then does not pay for as it grows.
    mutating func reserveCapacity(forRecords count: Int) {
        transaction.reserveCapacity(forRecords: count)
        changes.reserveCapacity(changes.count + count)
    }

    private mutating func write(_ record: RecordKey, _ assignments: [Assignment], supersedes: [Dot]) throws -> Change {
        guard supersedes.count <= Change.maxContext else {
            throw ReplicaError.invalid(
                .invalidField(
                    field: "record", value: record.description,
                    expected: "at most \(Change.maxContext) versions replaced by one write (resolve its conflicts field by field)"))
        }
        let change = try transaction.makeLocalChange(record: record, assignments: assignments, supersedes: supersedes)
        changes.append(change)
        return change
    }
}

extension Replica {
    /// Runs several local writes in one transaction: all are recorded, or none.
    @discardableResult
    public func write<T>(_ body: (inout LocalWriter) throws -> T) throws -> T {
        let (result, opened) = try transaction { transaction in
            var writer = LocalWriter(transaction: transaction)
            let result = try body(&writer)
            transaction = writer.transaction
            return (result, writer.changes.count)
        }
        if result.1 > 0 {
            logger.debug("recorded local changes", metadata: ["napsync.changes": "\(result.1)", "napsync.conflicts.opened": "\(opened)"])
        }
        return result.0
    }

    /// Sets fields of one record this node owns; see `LocalWriter.set`.
    @discardableResult
    public func set(_ record: RecordKey, fields: RecordFields) throws -> Change? {
        try write { try $0.set(record, fields: fields) }
    }

    /// The current state of a record, if the replica holds it.
    public func state(of record: RecordKey) throws -> RecordState? {
        let state = try database.read { db in
            var transaction = try ReplicaTransaction(db, identity: identity)
            return try transaction.state(of: record)
        }
        return state.entries.isEmpty ? nil : state
    }
}
