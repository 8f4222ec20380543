import Foundation
import GRDB
import GRDBSQLite
import SyncCore

/// Row 2c: the SQL a replica runs to apply 2a's change set, with every row already computed: the `change` rows
/// (body, digest and chain value included) and the final `record` rows that 2a left, read back from a replica
/// that applied the set, then written into a new replica with raw `sqlite3_bind_*` in one transaction. No
/// decoding, hashing, merging or encoding: what is left is SQLite's part of 2a, its floor.
struct ReplicaFloor {
    struct ChangeRow {
        var origin: Int64, seq: Int64, time: Int64, record: String, body: Data, digest: Data, chain: Data
    }

    struct RecordRow {
        var key: String, kind: String, owner: String, removed: Int64, conflicts: Int64, state: Data
    }

    var origins: [Row]
    var changes: [ChangeRow]
    var records: [RecordRow]

    /// Reads the rows of the replica in `directory`.
    init(readingReplicaIn directory: URL) throws {
        let queue = try DatabaseQueue(path: directory.appendingPathComponent(Replica.databaseFileName).path)
        (origins, changes, records) = try queue.read { db in
            let origins = try Row.fetchAll(db, sql: "SELECT idx, node_id, owner, seq FROM origin ORDER BY idx")
            let changes = try Row.fetchAll(db, sql: "SELECT origin, seq, time, record, body, digest, chain FROM change ORDER BY id").map {
                ChangeRow(
                    origin: $0["origin"], seq: $0["seq"], time: $0["time"], record: $0["record"], body: $0["body"],
                    digest: $0["digest"], chain: $0["chain"])
            }
            let records = try Row.fetchAll(db, sql: "SELECT key, kind, owner, removed, conflicts, state FROM record").map {
                RecordRow(
                    key: $0["key"], kind: $0["kind"], owner: $0["owner"], removed: $0["removed"], conflicts: $0["conflicts"],
                    state: $0["state"])
            }
            return (origins, changes, records)
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
        }
        return try Measure.seconds {
            try pool.write { db in
                for origin in origins {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO origin (idx, node_id, owner, seq) VALUES (?, ?, ?, ?)",
                        arguments: [origin["idx"], origin["node_id"], origin["owner"], origin["seq"]])
                }
                let insert = try db.makeStatement(
                    sql: "INSERT INTO change (origin, seq, time, record, body, digest, chain) VALUES (?, ?, ?, ?, ?, ?, ?)")
                let upsert = try db.makeStatement(
                    sql: """
                        INSERT INTO record (key, kind, owner, removed, conflicts, state) VALUES (?, ?, ?, ?, ?, ?)
                        ON CONFLICT(key) DO UPDATE SET removed = excluded.removed, conflicts = excluded.conflicts, state = excluded.state
                        """)
                let changeHandle = insert.sqliteStatement
                for row in changes {
                    sqlite3_bind_int64(changeHandle, 1, row.origin)
                    sqlite3_bind_int64(changeHandle, 2, row.seq)
                    sqlite3_bind_int64(changeHandle, 3, row.time)
                    sqlite3_bind_text(changeHandle, 4, row.record, -1, sqliteTransient)
                    bind(row.body, to: changeHandle, at: 5)
                    bind(row.digest, to: changeHandle, at: 6)
                    bind(row.chain, to: changeHandle, at: 7)
                    try step(changeHandle)
                }
                let recordHandle = upsert.sqliteStatement
                for row in records {
                    sqlite3_bind_text(recordHandle, 1, row.key, -1, sqliteTransient)
                    sqlite3_bind_text(recordHandle, 2, row.kind, -1, sqliteTransient)
                    sqlite3_bind_text(recordHandle, 3, row.owner, -1, sqliteTransient)
                    sqlite3_bind_int64(recordHandle, 4, row.removed)
                    sqlite3_bind_int64(recordHandle, 5, row.conflicts)
                    bind(row.state, to: recordHandle, at: 6)
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
