import Foundation
import GRDB
import GRDBSQLite
import SyncCore

/// Row 2c: the SQL a replica runs to apply 2a's change set, with every row already computed: the `change_block`
/// rows (the change log, see SyncCore's `ChangeBlock`) and the final `record` rows that 2a left, read back from a
/// replica that applied the set, then written into a new replica with raw `sqlite3_bind_*` in one transaction. No
/// decoding, hashing, merging or encoding: what is left is SQLite's part of 2a, its floor.
struct ReplicaFloor {
    struct BlockRow {
        var origin: Int64, firstSeq: Int64, lastSeq: Int64, lastTime: Int64, chain: Data, changes: Data
    }

    struct RecordRow {
        var key: String, removed: Int64, conflicts: Int64, state: Data
    }

    var origins: [Row]
    var blocks: [BlockRow]
    var records: [RecordRow]

    /// Reads the rows of the replica in `directory`.
    init(readingReplicaIn directory: URL) throws {
        let queue = try DatabaseQueue(path: directory.appendingPathComponent(Replica.databaseFileName).path)
        (origins, blocks, records) = try queue.read { db in
            let origins = try Row.fetchAll(db, sql: "SELECT idx, node_id, owner, seq FROM origin ORDER BY idx")
            let blocks = try Row.fetchAll(
                db, sql: "SELECT origin, first_seq, last_seq, last_time, chain, changes FROM change_block ORDER BY id"
            ).map {
                BlockRow(
                    origin: $0["origin"], firstSeq: $0["first_seq"], lastSeq: $0["last_seq"], lastTime: $0["last_time"],
                    chain: $0["chain"], changes: $0["changes"])
            }
            let records = try Row.fetchAll(db, sql: "SELECT key, removed, conflicts, state FROM record").map {
                RecordRow(
                    key: $0["key"], removed: $0["removed"], conflicts: $0["conflicts"], state: $0["state"])
            }
            return (origins, blocks, records)
        }
    }

    /// Writes the rows into the new replica in `directory` (made by `BenchReplicas.make`), opened as the replica
    /// opens its database; returns the seconds the write transaction took.
    func write(intoReplicaIn directory: URL) throws -> Double {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: directory.appendingPathComponent(Replica.databaseFileName).path, configuration: configuration)
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(Replica.autocheckpointPages)")
            try db.execute(sql: "PRAGMA journal_size_limit = \(Replica.logSizeLimit)")
        }
        return try Measure.seconds {
            try pool.write { db in
                for origin in origins {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO origin (idx, node_id, owner, seq) VALUES (?, ?, ?, ?)",
                        arguments: [origin["idx"], origin["node_id"], origin["owner"], origin["seq"]])
                }
                let insert = try db.makeStatement(
                    sql: "INSERT INTO change_block (origin, first_seq, last_seq, last_time, chain, changes) VALUES (?, ?, ?, ?, ?, ?)")
                let upsert = try db.makeStatement(
                    sql: """
                        INSERT INTO record (key, removed, conflicts, state) VALUES (?, ?, ?, ?)
                        ON CONFLICT(key) DO UPDATE SET removed = excluded.removed, conflicts = excluded.conflicts, state = excluded.state
                        """)
                let changeHandle = insert.sqliteStatement
                for row in blocks {
                    sqlite3_bind_int64(changeHandle, 1, row.origin)
                    sqlite3_bind_int64(changeHandle, 2, row.firstSeq)
                    sqlite3_bind_int64(changeHandle, 3, row.lastSeq)
                    sqlite3_bind_int64(changeHandle, 4, row.lastTime)
                    bind(row.chain, to: changeHandle, at: 5)
                    bind(row.changes, to: changeHandle, at: 6)
                    try step(changeHandle)
                }
                let recordHandle = upsert.sqliteStatement
                for row in records {
                    sqlite3_bind_text(recordHandle, 1, row.key, -1, sqliteTransient)
                    sqlite3_bind_int64(recordHandle, 2, row.removed)
                    sqlite3_bind_int64(recordHandle, 3, row.conflicts)
                    bind(row.state, to: recordHandle, at: 4)
                    try step(recordHandle)
                }
                withExtendedLifetime((insert, upsert)) {}
            }
        }
    }

    private func bind(_ data: Data, to handle: OpaquePointer, at index: Int32) {
        data.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
        }
    }

    private func step(_ handle: OpaquePointer) throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "floor write failed") }
    }
}
