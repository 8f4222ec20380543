import Foundation
import GRDB
import GRDBSQLite
import NAPModel
import SyncCore

/// Rows 1k and 1l: the SQL a replica runs for a batch of local writes (1d, 1g), with every row already computed,
/// so that what is left is SQLite's part of the batch, its floor.
///
/// A shadow replica writes each batch through `Replica.save(all:)`, untimed. The rows it wrote (the batch's
/// `record` rows and its new `change_block` rows) are read back, then written, timed, into a floor replica that
/// holds what the shadow held before the batch, with the statements the write path runs, in its order: a state
/// lookup per record the table holds, as the batch gives them (a new record's absence is vouched for by the
/// replica's filter of record keys, `RecordKeyFilter`, wrongly about one time in a hundred, which the floor
/// leaves out), the log's blocks, the record rows in key order (updated in place where the table held them, else
/// inserted), all in one `BEGIN IMMEDIATE` transaction, with raw `sqlite3_bind_*`. No validation, diff, hashing
/// or encoding.
final class LocalWriteFloor {
    private let shadow: Replica
    private let shadowRows: DatabaseQueue
    private let floor: DatabasePool
    private let shadowLog: WALCheckpointer
    private let floorLog: WALCheckpointer

    /// Both replicas new in `directory`.
    init(at directory: URL) throws {
        shadow = try BenchReplicas.make(at: directory.appendingPathComponent("shadow"))
        shadowRows = try DatabaseQueue(path: shadow.directory.appendingPathComponent(Replica.databaseFileName).path)
        shadowLog = try shadow.walCheckpointer()
        let floorDirectory = directory.appendingPathComponent("floor")
        _ = try BenchReplicas.make(at: floorDirectory)
        floor = try RawReplicaSQL.openPool(replicaIn: floorDirectory)
        floorLog = try WALCheckpointer(databasePath: floorDirectory.appendingPathComponent(Replica.databaseFileName).path)
    }

    /// Seconds the floor's transaction took for the rows of `records`, per record. Both replicas hold the records
    /// afterwards.
    @discardableResult
    func write(_ records: [Intervention], plan: Plan) throws -> Double {
        let lastBlock = try shadowRows.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM change_block") ?? 0 }
        _ = try shadow.save(all: records, plan: plan)
        try shadowLog.checkpoint()
        let keys = records.map(\.key.description)
        // Which rows the floor holds already, found before the clock starts: the write path looks those up and
        // updates them in place.
        let lookedUp = try floor.read { db in
            let select = try db.makeStatement(sql: "SELECT 1 FROM record WHERE key = ?")
            return try keys.filter { try Int.fetchOne(select, arguments: [$0]) != nil }
        }
        let held = Set(lookedUp)
        let (blocks, rows) = try shadowRows.read { db in
            let select = try db.makeStatement(sql: "SELECT key, removed, conflicts, state FROM record WHERE key = ?")
            let rows = try keys.sorted().map { key in
                guard let row = try Row.fetchOne(select, arguments: [key]) else { throw BenchError("the shadow replica lacks \(key)") }
                return RawReplicaSQL.RecordRow(row)
            }
            return (try RawReplicaSQL.BlockRow.fetchAll(db, after: lastBlock), rows)
        }
        let rowsHeld = rows.map { held.contains($0.key) }
        let seconds = try Measure.seconds {
            try floor.writeWithoutTransaction { db in
                let select = try db.makeStatement(sql: WritePathSQL.selectState)
                try db.execute(sql: "BEGIN IMMEDIATE TRANSACTION")
                do {
                    let handle = select.sqliteStatement
                    for key in lookedUp {
                        sqlite3_bind_text(handle, 1, key, -1, sqliteTransient)
                        let code = sqlite3_step(handle)
                        if code == SQLITE_ROW { _ = sqlite3_column_blob(handle, 0) }
                        sqlite3_reset(handle)
                        guard code == SQLITE_ROW || code == SQLITE_DONE else {
                            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "floor state lookup failed")
                        }
                    }
                    try RawReplicaSQL.insert(blocks, db)
                    try RawReplicaSQL.write(rows, held: rowsHeld, db)
                    try db.execute(sql: "COMMIT TRANSACTION")
                } catch {
                    try? db.execute(sql: "ROLLBACK TRANSACTION")
                    throw error
                }
            }
        }
        try floorLog.checkpoint()
        return seconds / Double(records.count)
    }

    /// Throws unless the floor replica holds as many records as the shadow: else it did not write what it was
    /// timed for.
    func checkWritten() throws {
        let floorCount = try floor.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM record") ?? 0 }
        let shadowCount = try shadowRows.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM record") ?? 0 }
        guard floorCount == shadowCount, floorCount > 0 else {
            throw BenchError("the floor replica holds \(floorCount) records, the shadow replica \(shadowCount)")
        }
    }
}
