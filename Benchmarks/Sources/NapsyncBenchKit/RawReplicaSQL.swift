import Foundation
import GRDB
import GRDBSQLite
import SyncCore

/// What the floor rows (2c, 1k, 1l) share: a replica's database opened as `Replica.openPool` sets up its writer,
/// the write path's statements on the change log and the record table as SyncCore runs them, and raw binds.
enum RawReplicaSQL {
    /// The replica database in `directory` (made by `BenchReplicas.make`), its writer configured as the replica's.
    static func openPool(replicaIn directory: URL) throws -> DatabasePool {
        try Replica.openPool(directory.appendingPathComponent(Replica.databaseFileName).path)
    }

    /// A `change_block` row.
    struct BlockRow {
        var origin: Int64, firstSeq: Int64, lastSeq: Int64, lastTime: Int64, chain: Data, changes: Data

        /// The rows after block `id`, in log order.
        static func fetchAll(_ db: Database, after id: Int64) throws -> [BlockRow] {
            try Row.fetchAll(
                db, sql: "SELECT origin, first_seq, last_seq, last_time, chain, changes FROM change_block WHERE id > ? ORDER BY id",
                arguments: [id]
            ).map {
                BlockRow(
                    origin: $0["origin"], firstSeq: $0["first_seq"], lastSeq: $0["last_seq"], lastTime: $0["last_time"],
                    chain: $0["chain"], changes: $0["changes"])
            }
        }
    }

    /// A `record` row.
    struct RecordRow {
        var key: String, removed: Int64, conflicts: Int64, state: Data

        init(_ row: Row) {
            self.init(key: row["key"], removed: row["removed"], conflicts: row["conflicts"], state: row["state"])
        }

        init(key: String, removed: Int64, conflicts: Int64, state: Data) {
            self.key = key
            self.removed = removed
            self.conflicts = conflicts
            self.state = state
        }
    }

    /// Inserts the blocks with raw binds, as the write path does.
    static func insert(_ blocks: [BlockRow], _ db: Database) throws {
        let statement = try db.makeStatement(sql: WritePathSQL.insertBlock)
        let handle = statement.sqliteStatement
        for row in blocks {
            sqlite3_bind_int64(handle, 1, row.origin)
            sqlite3_bind_int64(handle, 2, row.firstSeq)
            sqlite3_bind_int64(handle, 3, row.lastSeq)
            sqlite3_bind_int64(handle, 4, row.lastTime)
            bind(row.chain, to: handle, at: 5)
            bind(row.changes, to: handle, at: 6)
            try step(handle)
        }
        withExtendedLifetime(statement) {}
    }

    /// Writes the record rows with raw binds, in the order given, as the write path's flush does: a row the table
    /// held (`held`, one flag per row) is updated in place, a new one inserted.
    static func write(_ records: [RecordRow], held: [Bool], _ db: Database) throws {
        let insert = try db.makeStatement(sql: WritePathSQL.insertRecord)
        let update = try db.makeStatement(sql: WritePathSQL.updateRecord)
        for (row, held) in zip(records, held) {
            if held {
                let handle = update.sqliteStatement
                sqlite3_bind_int64(handle, 1, row.removed)
                sqlite3_bind_int64(handle, 2, row.conflicts)
                bind(row.state, to: handle, at: 3)
                sqlite3_bind_text(handle, 4, row.key, -1, sqliteTransient)
                try step(handle)
            } else {
                let handle = insert.sqliteStatement
                sqlite3_bind_text(handle, 1, row.key, -1, sqliteTransient)
                sqlite3_bind_int64(handle, 2, row.removed)
                sqlite3_bind_int64(handle, 3, row.conflicts)
                bind(row.state, to: handle, at: 4)
                try step(handle)
            }
        }
        withExtendedLifetime((insert, update)) {}
    }

    static func bind(_ data: Data, to handle: OpaquePointer, at index: Int32) {
        data.withUnsafeBytes { bytes in
            _ = sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), sqliteTransient)
        }
    }

    /// Runs a statement that returns no row, and resets it for the next binds.
    static func step(_ handle: OpaquePointer) throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "floor write failed") }
    }
}
