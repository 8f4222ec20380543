import Foundation
import GRDB
import GRDBSQLite

/// A prepared statement of a hot path (applying changes, serving a pull) bound and stepped with
/// `sqlite3_bind_*` / `sqlite3_step` on GRDB's handle, without building `StatementArguments` or `Row`s (boxed
/// `DatabaseValue`s) for every row: that path cost about a tenth of a change-set apply.
///
/// The `Statement` comes from `db.cachedStatement(sql:)`, so it is compiled once per connection and owned by
/// GRDB's cache; this keeps a reference to it for as long as it is used. Every parameter is bound before each
/// step, and the statement is reset after it, so GRDB finds it as it left it. The replica registers no
/// transaction or value observers, which this path would bypass.
struct RawStatement {
    let statement: Statement
    private var handle: OpaquePointer { statement.sqliteStatement }

    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
    }

    func bind(_ index: Int32, _ value: Int64) {
        sqlite3_bind_int64(handle, index, value)
    }

    func bind(_ index: Int32, _ value: Double?) {
        if let value { sqlite3_bind_double(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ bytes: [UInt8]) {
        bytes.withUnsafeBytes { bind(index, raw: $0) }
    }

    func bind(_ index: Int32, _ data: Data) {
        data.withUnsafeBytes { bind(index, raw: $0) }
    }

    func bind(_ index: Int32, _ hash: ChainHash) {
        hash.withUnsafeBytes { bind(index, raw: $0) }
    }

    private func bind(_ index: Int32, raw: UnsafeRawBufferPointer, destructor: sqlite3_destructor_type? = sqliteTransient) {
        if let base = raw.baseAddress, raw.count > 0 {
            sqlite3_bind_blob(handle, index, base, Int32(raw.count), destructor)
        } else {
            // A NULL pointer would bind NULL, not an empty blob.
            sqlite3_bind_zeroblob(handle, index, 0)
        }
    }

    /// Binds `text` at `index` without SQLite copying it (`SQLITE_STATIC`), for `body` only, which steps and resets
    /// the statement; the parameter is bound to NULL again afterwards, so that no pointer to the text outlives it.
    /// A hot statement's key and state would otherwise each be copied by SQLite for every record.
    func withBound<Result>(_ index: Int32, text: String, _ body: () throws -> Result) rethrows -> Result {
        var text = text
        return try text.withUTF8 { utf8 in
            defer { sqlite3_bind_null(handle, index) }
            utf8.withMemoryRebound(to: CChar.self) { chars in
                if let base = chars.baseAddress {
                    _ = sqlite3_bind_text(handle, index, base, Int32(chars.count), sqliteStatic)
                } else {
                    _ = sqlite3_bind_text(handle, index, "", 0, sqliteTransient)
                }
            }
            return try body()
        }
    }

    /// `withBound(_:text:_:)` for a blob.
    func withBound<Result>(_ index: Int32, bytes: [UInt8], _ body: () throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBytes { raw in
            defer { sqlite3_bind_null(handle, index) }
            bind(index, raw: raw, destructor: sqliteStatic)
            return try body()
        }
    }

    /// Runs a statement that returns no row.
    func execute() throws {
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw failure(code) }
        sqlite3_reset(handle)
    }

    /// Runs a query and hands its first row, if any, to `read` (columns through `column...`), then resets.
    func first<T>(_ read: (RawStatement) throws -> T) throws -> T? {
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        switch code {
        case SQLITE_ROW: return try read(self)
        case SQLITE_DONE: return nil
        default: throw failure(code)
        }
    }

    /// Runs a query and hands each row to `read` until it returns false or the rows end, then resets.
    func forEachRow(_ read: (RawStatement) throws -> Bool) throws {
        defer { sqlite3_reset(handle) }
        while true {
            let code = sqlite3_step(handle)
            switch code {
            case SQLITE_ROW: guard try read(self) else { return }
            case SQLITE_DONE: return
            default: throw failure(code)
            }
        }
    }

    func columnInt64(_ index: Int32) -> Int64 { sqlite3_column_int64(handle, index) }

    /// The column's bytes in `buffer`, which keeps its capacity from row to row.
    func columnBytes(_ index: Int32, into buffer: inout [UInt8]) {
        buffer.removeAll(keepingCapacity: true)
        let count = Int(sqlite3_column_bytes(handle, index))
        guard count > 0, let base = sqlite3_column_blob(handle, index) else { return }
        buffer.append(contentsOf: UnsafeRawBufferPointer(start: base, count: count))
    }

    /// The column's bytes (a text's UTF-8) in place, valid only inside `body`.
    func withColumnBytes<T>(_ index: Int32, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        // The pointer first, then the size: asking for the size first could convert a text that is not UTF-8.
        let base = sqlite3_column_blob(handle, index)
        let count = Int(sqlite3_column_bytes(handle, index))
        return try body(UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count))
    }

    func columnBytes(_ index: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        columnBytes(index, into: &bytes)
        return bytes
    }

    private func failure(_ code: Int32) -> DatabaseError {
        let connection = sqlite3_db_handle(handle)
        let message = connection.map { String(cString: sqlite3_errmsg($0)) }
        let extended = connection.map { sqlite3_extended_errcode($0) } ?? code
        sqlite3_reset(handle)
        return DatabaseError(resultCode: ResultCode(rawValue: extended), message: message, sql: statement.sql)
    }
}

/// `SQLITE_TRANSIENT`, which the C macro defines and Swift does not import: SQLite copies the bound bytes.
private let sqliteTransient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// `SQLITE_STATIC`: SQLite uses the bound bytes where they are, until the statement is reset or rebound.
private let sqliteStatic = unsafeBitCast(0, to: sqlite3_destructor_type.self)
