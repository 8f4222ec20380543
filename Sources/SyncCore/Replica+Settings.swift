import Foundation
import GRDB

extension Replica {
    /// The writer connection's journal mode, `synchronous` level (2 = FULL), `cache_size` (negative: KiB) and
    /// `wal_autocheckpoint` (pages of log past which a commit checkpoints), as SQLite reports them: what a commit actually
    /// costs depends on these, so benchmarks read them back.
    public func writerSettings() throws -> (journalMode: String, synchronous: Int, cacheSize: Int, walAutocheckpoint: Int) {
        try database.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?",
                try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? 0,
                try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1
            )
        }
    }

    /// A checkpointer of this replica's write-ahead log, on a connection of its own.
    public func walCheckpointer() throws -> WALCheckpointer {
        try WALCheckpointer(databasePath: directory.appendingPathComponent(Self.databaseFileName).path)
    }
}
