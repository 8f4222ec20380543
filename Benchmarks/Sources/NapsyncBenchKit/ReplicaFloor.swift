import Foundation
import GRDB
import SyncCore

/// Row 2c: the SQL a replica runs to apply 2a's change set, with every row already computed: the `change_block`
/// rows (the change log, see SyncCore's `ChangeBlock`) and the final `record` rows that 2a left, read back from a
/// replica that applied the set, then written into a new replica with raw `sqlite3_bind_*` in one transaction. No
/// decoding, hashing, merging or encoding: what is left is SQLite's part of 2a, its floor.
struct ReplicaFloor {
    var origins: [Row]
    var blocks: [RawReplicaSQL.BlockRow]
    var records: [RawReplicaSQL.RecordRow]

    /// Reads the rows of the replica in `directory`.
    init(readingReplicaIn directory: URL) throws {
        let queue = try DatabaseQueue(path: directory.appendingPathComponent(Replica.databaseFileName).path)
        (origins, blocks, records) = try queue.read { db in
            let origins = try Row.fetchAll(db, sql: "SELECT idx, node_id, owner, seq FROM origin ORDER BY idx")
            let blocks = try RawReplicaSQL.BlockRow.fetchAll(db, after: 0)
            let records = try Row.fetchAll(db, sql: "SELECT key, removed, conflicts, state FROM record").map(RawReplicaSQL.RecordRow.init)
            return (origins, blocks, records)
        }
    }

    /// Writes the rows into the new replica in `directory` (made by `BenchReplicas.make`), opened as the replica
    /// opens its database; returns the seconds the write transaction took.
    func write(intoReplicaIn directory: URL) throws -> Double {
        let pool = try RawReplicaSQL.openPool(replicaIn: directory)
        return try Measure.seconds {
            try pool.write { db in
                for origin in origins {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO origin (idx, node_id, owner, seq) VALUES (?, ?, ?, ?)",
                        arguments: [origin["idx"], origin["node_id"], origin["owner"], origin["seq"]])
                }
                try RawReplicaSQL.insert(blocks, db)
                try RawReplicaSQL.write(records, held: Array(repeating: false, count: records.count), db)
            }
        }
    }
}
