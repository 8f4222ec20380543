import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// What a write transaction starts from, kept per writer connection between transactions: the origin
/// directory (the vector clock and the local indexes), the hybrid time and the chain value after each origin's
/// last change. Without it every transaction, even a one-record save, re-reads the whole origin table, the
/// hybrid time and the chain.
///
/// The cache is only ever filled from a transaction that committed, and only trusted while the database is
/// provably unchanged since that commit:
/// - `PRAGMA data_version` is unchanged, so no other connection (another process) has committed since;
/// - `sqlite3_total_changes64` of the connection is unchanged, so this connection has written nothing since
///   (a write that bypassed `ReplicaTransaction`, or a transaction that wrote after its last flush);
/// - the connection is the same object (a weak reference, so a closed pool's entry is never reused).
/// A rollback drops the entry. Anything else falls back to reading the tables, as before.
struct WriterSnapshot: Sendable {
    var origins: OriginDirectory
    var lastTime: Int64
    var chains: [NodeID: ChainHash]
    /// The keys the record table may hold, once a batch built it (see `RecordKeyFilter`).
    var recordKeys: RecordKeyFilter?
}

/// The per-connection snapshots; see `WriterSnapshot`.
enum WriterSnapshotCache {
    /// The version of the database a connection sees and the rows it has changed: equal values mean nothing
    /// was committed to the file in between.
    struct Stamp: Equatable, Sendable {
        var dataVersion: Int64
        var totalChanges: Int64

        init(dataVersion: Int64, totalChanges: Int64) {
            self.dataVersion = dataVersion
            self.totalChanges = totalChanges
        }

        init(_ db: Database) throws {
            // Read for every write transaction: stepped raw (RawStatement), not through GRDB's row decoding.
            self.init(
                dataVersion: try RawStatement(db, sql: "PRAGMA data_version").first { $0.columnInt64(0) } ?? -1,
                totalChanges: Self.totalChanges(db))
        }

        static func totalChanges(_ db: Database) -> Int64 {
            db.sqliteConnection.map { sqlite3_total_changes64($0) } ?? -1
        }
    }

    private final class Connection: @unchecked Sendable {
        // Read and written only under `entries`' lock.
        weak var database: Database?
        init(_ database: Database) { self.database = database }
    }

    private struct Entry: Sendable {
        var connection: Connection
        var stamp: Stamp
        var snapshot: WriterSnapshot
    }

    private static let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// The snapshot left by the last committed transaction of this connection, if the database is unchanged
    /// since, and the `data_version` read to tell. Reads the stamp only when there is an entry to check (never on
    /// a reader connection).
    static func snapshot(for db: Database) throws -> (snapshot: WriterSnapshot?, dataVersion: Int64?) {
        guard entries.withLock({ $0[ObjectIdentifier(db)] != nil }) else { return (nil, nil) }
        let stamp = try Stamp(db)
        return (snapshot(for: db, at: stamp), stamp.dataVersion)
    }

    private static func snapshot(for db: Database, at stamp: Stamp) -> WriterSnapshot? {
        entries.withLock { entries in
            guard let entry = entries[ObjectIdentifier(db)] else { return nil }
            guard entry.connection.database === db, entry.stamp == stamp else {
                entries[ObjectIdentifier(db)] = nil
                return nil
            }
            return entry.snapshot
        }
    }

    static func store(_ snapshot: WriterSnapshot, for db: Database, at stamp: Stamp) {
        let connection = Connection(db)
        entries.withLock { entries in
            entries = entries.filter { $0.value.connection.database != nil }
            entries[ObjectIdentifier(db)] = Entry(connection: connection, stamp: stamp, snapshot: snapshot)
        }
    }

    static func forget(_ db: Database) {
        _ = entries.withLock { entries in entries.removeValue(forKey: ObjectIdentifier(db)) }
    }
}

/// What a flush leaves for the commit: the snapshot after it and the connection's change count then.
struct PendingSnapshot {
    var snapshot: WriterSnapshot?
    var totalChanges: Int64 = -1
    let dataVersion: Int64

    /// Called once the transaction committed: publishes the snapshot if nothing was written after the last
    /// flush, and drops the connection's entry otherwise.
    func committed(on db: Database) {
        let changes = WriterSnapshotCache.Stamp.totalChanges(db)
        if let snapshot, changes == totalChanges {
            WriterSnapshotCache.store(snapshot, for: db, at: .init(dataVersion: dataVersion, totalChanges: changes))
        } else {
            WriterSnapshotCache.forget(db)
        }
    }
}
