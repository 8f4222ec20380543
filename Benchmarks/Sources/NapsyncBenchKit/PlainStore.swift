import Foundation
import GRDB
import GRDBSQLite
import NAPModel
import SyncCore

/// The baseline every write is compared with: the same rows in a plain SQLite table, with no change log,
/// no vector clock and no record state.
///
/// It opens the database through `Replica.openPool`, as a replica opens its own: a GRDB `DatabasePool` (so WAL) with the
/// replica's busy timeout, then, on the writer and after GRDB's WAL setup (which leaves `synchronous = NORMAL`),
/// `PRAGMA synchronous = FULL`, `PRAGMA cache_size = -65536`, and the replica's `wal_autocheckpoint` and
/// `journal_size_limit` (a commit checkpoints only past 10,000 pages of log: the suite checkpoints both sides
/// outside the timed work, as the daemon does off the writer; see `walCheckpointer()`). It keeps one row per record with one column per field,
/// keyed by the record key in a `WITHOUT ROWID` table like the replica's `record` table. The run reads the
/// settings back from both sides (`writerSettings()`, `Replica.writerSettings()`) and prints them, so a drift
/// between the two shows.
public final class PlainStore: @unchecked Sendable {
    public enum Settings: Sendable {
        /// The replica's settings as they take effect: WAL, `synchronous = FULL`, a 64 MiB page cache, no
        /// checkpoint by the writer.
        case asReplica
        /// GRDB's defaults for a pool: WAL, `synchronous = NORMAL`, SQLite's 2 MiB page cache. This was the
        /// baseline of the runs before 2026-11-27 (the replica too ran NORMAL then): context only.
        case grdbDefaults
    }

    public let pool: DatabasePool
    private let path: String

    public init(at directory: URL, settings: Settings = .asReplica) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("plain.sqlite").path
        switch settings {
        case .asReplica:
            pool = try Replica.openPool(path)
        case .grdbDefaults:
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            pool = try DatabasePool(path: path, configuration: configuration)
        }
        try pool.write { db in
            // Columns are nullable so that a change of one field can be upserted on its own (see `upsertRaw`).
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS intervention (
                        key TEXT PRIMARY KEY NOT NULL, year INTEGER, line TEXT, date TEXT, countries TEXT,
                        description TEXT, budget INTEGER
                    ) WITHOUT ROWID
                    """)
        }
    }

    /// A checkpointer of this table's write-ahead log on a connection of its own, as `Replica.walCheckpointer()`.
    public func walCheckpointer() throws -> WALCheckpointer {
        try WALCheckpointer(databasePath: path)
    }

    /// `journal_mode`, `synchronous` and `cache_size` as the writer connection reports them.
    public func writerSettings() throws -> WriterSettings {
        try pool.writeWithoutTransaction { db in try WriterSettings(db) }
    }

    /// The row count, to check a baseline wrote what it was meant to.
    public func count() throws -> Int {
        try pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM intervention") ?? 0 }
    }

    // MARK: The write baseline (issue 2): GRDB statements, like SyncCore's own

    static let upsertSQL = """
        INSERT INTO intervention (key, year, line, date, countries, description, budget) VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT(key) DO UPDATE SET year = excluded.year, line = excluded.line, date = excluded.date,
        countries = excluded.countries, description = excluded.description, budget = excluded.budget
        """

    /// Writes one record in its own transaction.
    public func save(_ record: Intervention) throws {
        try pool.write { db in try Self.upsert(record, db) }
    }

    /// Writes several records in one transaction.
    public func save(all records: [Intervention]) throws {
        try pool.write { db in for record in records { try Self.upsert(record, db) } }
    }

    static func upsert(_ record: Intervention, _ db: Database) throws {
        try db.cachedStatement(sql: upsertSQL).execute(arguments: [
            record.key.description, record.year, record.line, record.date, record.countries.joined(separator: ","),
            record.description, record.budgetCents,
        ])
    }

    // MARK: The apply baseline (issue 3): raw sqlite3 binds on GRDB's statement handles

    /// Upserts rows with `sqlite3_bind_*` / `sqlite3_step` in one transaction: the fastest plain way to write
    /// them through the same kind of connection.
    public func upsertRaw(_ rows: PlainRows) throws {
        try pool.write { db in
            // The Statement objects own the handles: keep them alive for the whole loop.
            let statements = try rows.shapes.map { columns in try db.makeStatement(sql: Self.upsertSQL(columns: columns)) }
            let handles = statements.map(\.sqliteStatement)
            for row in rows.rows {
                let handle = handles[row.shape]
                sqlite3_bind_text(handle, 1, row.key, -1, sqliteTransient)
                for (offset, value) in row.values.enumerated() {
                    let index = Int32(offset + 2)
                    switch value {
                    case .null: sqlite3_bind_null(handle, index)
                    case .int(let number): sqlite3_bind_int64(handle, index, number)
                    case .text(let text): sqlite3_bind_text(handle, index, text, -1, sqliteTransient)
                    }
                }
                let code = sqlite3_step(handle)
                sqlite3_reset(handle)
                guard code == SQLITE_DONE else {
                    throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "raw upsert failed")
                }
            }
            withExtendedLifetime(statements) {}
        }
    }

    static func upsertSQL(columns: [String]) -> String {
        let names = (["key"] + columns).joined(separator: ", ")
        let marks = Array(repeating: "?", count: columns.count + 1).joined(separator: ", ")
        let updates = columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")
        return "INSERT INTO intervention (\(names)) VALUES (\(marks)) ON CONFLICT(key) DO UPDATE SET \(updates)"
    }
}

/// `SQLITE_TRANSIENT`, which the C macro defines and Swift does not import.
let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Rows ready to bind, made before the clock starts: one row per change, holding the fields the change
/// assigns. Rows that assign the same set of columns share a statement (a shape).
public struct PlainRows: Sendable {
    public enum Value: Sendable {
        case null
        case int(Int64)
        case text(String)
    }

    public struct Row: Sendable {
        public var key: String
        public var shape: Int
        public var values: [Value]
    }

    public private(set) var shapes: [[String]] = []
    public private(set) var rows: [Row] = []

    /// The rows of these changes, in order: what a plain application would write for the same edits.
    public init(_ changes: [Change]) {
        var shapeIndex: [[String]: Int] = [:]
        rows.reserveCapacity(changes.count)
        for change in changes {
            let columns = change.assignments.map(\.field)
            let shape: Int
            if let known = shapeIndex[columns] {
                shape = known
            } else {
                shape = shapes.count
                shapeIndex[columns] = shape
                shapes.append(columns)
            }
            rows.append(Row(key: change.record.description, shape: shape, values: change.assignments.map { Self.value($0.value) }))
        }
    }

    /// The number of field values the rows carry.
    public var fieldCount: Int { rows.reduce(0) { $0 + $1.values.count } }

    static func value(_ value: FieldValue) -> Value {
        switch value {
        case .null: .null
        case .bool(let flag): .int(flag ? 1 : 0)
        case .int(let number): .int(number)
        case .text(let text): .text(text)
        case .list(let items): .text(items.joined(separator: ","))
        }
    }
}

/// A writer connection's settings that decide what a commit costs, as SQLite reports them.
public struct WriterSettings: Sendable, Equatable, CustomStringConvertible {
    public var journalMode: String
    public var synchronous: Int
    public var cacheSize: Int
    public var walAutocheckpoint: Int

    public init(journalMode: String, synchronous: Int, cacheSize: Int, walAutocheckpoint: Int) {
        self.journalMode = journalMode
        self.synchronous = synchronous
        self.cacheSize = cacheSize
        self.walAutocheckpoint = walAutocheckpoint
    }

    init(_ db: Database) throws {
        self.init(
            journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "?",
            synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
            cacheSize: try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? 0,
            walAutocheckpoint: try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? -1)
    }

    /// The settings of a replica's writer.
    public init(_ replica: Replica) throws {
        let read = try replica.writerSettings()
        self.init(
            journalMode: read.journalMode, synchronous: read.synchronous, cacheSize: read.cacheSize,
            walAutocheckpoint: read.walAutocheckpoint)
    }

    public var description: String {
        let level = [0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"][synchronous] ?? "?"
        let cache = cacheSize < 0 ? "\(-cacheSize / 1024) MiB" : "\(cacheSize) pages"
        return "journal_mode=\(journalMode), synchronous=\(synchronous) (\(level)), cache_size=\(cacheSize) (\(cache)), "
            + "wal_autocheckpoint=\(walAutocheckpoint)"
    }
}
