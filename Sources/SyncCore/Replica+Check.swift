import Foundation
import GRDB
import NAPModel

extension Replica {
    /// What is wrong with this replica, if anything, for an operator deciding whether to restore it: SQLite's own
    /// check of the file first, then napsync's, which reads every record state back against the origin table and
    /// checks that the change log holds every change the clock counts, each origin's from 1 without a gap. Empty
    /// when the replica is sound. Writes nothing; takes as long as reading the whole file.
    public func consistencyProblems() throws -> [String] {
        let fileProblems = try integrityProblems()
        // A damaged file can make the reads below wrong in ways that say nothing about the data: report the file.
        guard fileProblems.isEmpty else { return fileProblems.map { "SQLite integrity check: \($0)" } }
        return try database.read { db in
            let origins = try OriginDirectory(db)
            var problems: [String] = []
            let records = try Row.fetchCursor(db, sql: "SELECT key, state FROM record ORDER BY key")
            while let row = try records.next() {
                let key: String = row["key"]
                guard RecordKey(key) != nil else {
                    problems.append("record \(key): not a record key")
                    continue
                }
                do {
                    _ = try StoredEncoding.decodeState([UInt8](row["state"] as Data), node: { origins.node(at: $0) })
                } catch ReplicaError.damagedReplica(let reason) {
                    problems.append("record \(key): \(reason)")
                }
            }
            for entry in origins.entries {
                let runs = try Row.fetchAll(
                    db, sql: "SELECT first_seq, last_seq FROM change_block WHERE origin = ? ORDER BY first_seq",
                    arguments: [entry.index])
                var next: UInt64 = 1
                for run in runs {
                    let first = UInt64(run["first_seq"] as Int64)
                    let last = UInt64(run["last_seq"] as Int64)
                    if first != next {
                        problems.append(
                            "node \(entry.node.short) (\(entry.owner)): the change log "
                                + (first > next ? "lacks changes \(next) to \(first - 1)" : "holds change \(first) twice"))
                    }
                    next = max(next, last + 1)
                }
                if next <= entry.seq {
                    problems.append("node \(entry.node.short) (\(entry.owner)): the change log lacks changes \(next) to \(entry.seq)")
                } else if next - 1 > entry.seq {
                    problems.append(
                        "node \(entry.node.short) (\(entry.owner)): the change log holds changes up to \(next - 1), past the \(entry.seq) the clock counts")
                }
            }
            for index in try Int64.fetchAll(db, sql: "SELECT DISTINCT origin FROM change_block ORDER BY origin") where origins.node(at: index) == nil {
                problems.append("the change log holds changes of local origin \(index), which the origin table does not hold")
            }
            return problems
        }
    }
}
