import Foundation
import GRDB

/// Row 1h: what the write group left on disk, per record, by table: the bytes a tracked write commits against
/// those of a plain row, which is most of what 1d and 1g measure (their commits write these pages).
enum StoredBytes {
    /// Bytes of the database's pages per table and index (SQLite's `dbstat`, the WAL included), by name.
    static func byTable(_ path: String) throws -> [String: Int] {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name").map {
                ($0["name"] as String, $0["bytes"] as Int)
            })
        }
    }

    static func row(replica: URL, plain: URL, records: Int) throws -> ReportRow {
        let napsync = try byTable(replica.path)
        let baseline = try byTable(plain.path)
        func perRecord(_ bytes: Int) -> Double { Double(bytes) / Double(max(records, 1)) }
        let changeLog = (napsync["change_block"] ?? 0) + (napsync["change_block_origin_seq"] ?? 0)
        let state = napsync["record"] ?? 0
        let rest = napsync.values.reduce(0, +) - changeLog - state
        let total = perRecord(napsync.values.reduce(0, +))
        let plainTotal = perRecord(baseline.values.reduce(0, +))
        return ReportRow(
            id: "1h", name: "  context: bytes stored per record after 1a-1g (\(records.formatted()) interventions)",
            figure: "\(Format.fixed(total, 0)) B (change log \(Format.fixed(perRecord(changeLog), 0)), record state "
                + "\(Format.fixed(perRecord(state), 0)), other \(Format.fixed(perRecord(rest), 0)))",
            baseline: "\(Format.fixed(plainTotal, 0)) B (the plain table, same records)", ratio: total / plainTotal)
    }
}
