import GRDB

extension Replica {
    /// The writer connection's journal mode, `synchronous` level (2 = FULL) and `cache_size` (negative: KiB), as
    /// SQLite reports them: what a commit actually costs depends on these, so benchmarks read them back.
    public func writerSettings() throws -> (journalMode: String, synchronous: Int, cacheSize: Int) {
        try database.writeWithoutTransaction { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?",
                try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? 0
            )
        }
    }
}
