import Foundation
import GRDB
import NAPModel
import SyncCore

/// Damage done to a replica's file behind its back, as a failing disk or a hand edit could, for tests of how
/// napsync reports it.
public enum ReplicaDamage {
    /// Renumbers every origin of the replica in `directory`: record states and the change log then name local
    /// origins the origin table no longer holds.
    public static func renumberOrigins(inReplicaAt directory: URL) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let path = directory.appendingPathComponent(Replica.databaseFileName).path
        try DatabaseQueue(path: path, configuration: configuration).write { db in
            try db.execute(sql: "UPDATE origin SET idx = idx + 100")
        }
    }
}

extension ReplicaDamage {
    /// Appends a byte to the stored state of `record` in the replica in `directory`.
    public static func appendByte(toStateOf record: RecordKey, inReplicaAt directory: URL) throws {
        let path = directory.appendingPathComponent(Replica.databaseFileName).path
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "UPDATE record SET state = state || x'00' WHERE key = ?", arguments: [record.description])
        }
    }
}

extension ReplicaFixture {
    /// A damaged receiver and what it is then sent: justice holding defence's `record`, damaged
    /// (`ReplicaDamage.renumberOrigins`), and defence's later edit of that record as a change set justice lacks.
    public func damagedReceiver(of record: RecordKey) throws -> (receiver: Replica, clockBefore: VectorClock, set: Data) {
        let defence = try make(.defence)
        let justice = try make(.justice)
        try defence.set(record, fields: ["narrative": .text("written")])
        try defence.push(to: justice)
        try ReplicaDamage.renumberOrigins(inReplicaAt: justice.directory)
        let clockBefore = try justice.clock()
        try defence.set(record, fields: ["narrative": .text("edited")])
        guard let set = try defence.changeSet(missingFrom: clockBefore, maxChanges: 100) else {
            preconditionFailure("defence has just edited \(record), so justice lacks a change")
        }
        return (justice, clockBefore, set.data)
    }
}
