import Foundation
import GRDB
import NAPModel

extension Replica {
    /// What is wrong with this replica, if anything, for an operator deciding whether to restore it: SQLite's own
    /// check of the file first, then napsync's. Every record state must read back against the origin table; each
    /// origin's changes must be in the log from 1 to what the origin table counts, without a gap, each with the
    /// digest of its content and the chain values its blocks store. Empty when the replica is sound. Writes
    /// nothing; reads and hashes the whole log, so it takes about as long as applying it.
    public func consistencyProblems() throws -> [String] {
        let fileProblems = try integrityProblems()
        // A damaged file can make the reads below wrong in ways that say nothing about the data: report the file.
        guard fileProblems.isEmpty else { return fileProblems.map { "SQLite integrity check: \($0)" } }
        return try database.read { db in
            let origins = try OriginDirectory(db)
            var problems = try recordProblems(db, origins: origins)
            let counted = try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT idx, seq FROM origin").map { ($0["idx"] as Int64, $0["seq"] as Int64) })
            for entry in origins.entries {
                // This node's own count is the log's (see `OriginDirectory`); another node's is its origin row's.
                let expected = entry.node == identity.nodeID ? Int64(entry.seq) : counted[entry.index] ?? 0
                problems += try logProblems(db, origin: entry, counted: expected, origins: origins)
            }
            for index in try Int64.fetchAll(db, sql: "SELECT DISTINCT origin FROM change_block ORDER BY origin")
            where origins.node(at: index) == nil {
                problems.append("the change log holds changes of local origin \(index), which the origin table does not hold")
            }
            return problems
        }
    }

    private func recordProblems(_ db: Database, origins: OriginDirectory) throws -> [String] {
        var problems: [String] = []
        let records = try Row.fetchCursor(db, sql: "SELECT key, state FROM record ORDER BY key")
        while let row = try records.next() {
            let key: String = row["key"]
            guard RecordKey(key) != nil else {
                problems.append("record \(key): not a record key")
                continue
            }
            guard let state = row["state"] as Data? else {
                problems.append("record \(key): its state is not stored as bytes")
                continue
            }
            do {
                _ = try StoredEncoding.decodeState([UInt8](state), node: { origins.node(at: $0) })
            } catch ReplicaError.damagedReplica(let reason) {
                problems.append("record \(key): \(reason)")
            }
        }
        return problems
    }

    /// The log of one origin: its blocks in sequence order, each change's digest recomputed from its content and
    /// chained as `ChangeChain` does, against the chain value each block stores.
    private func logProblems(_ db: Database, origin: OriginDirectory.Entry, counted: Int64, origins: OriginDirectory) throws -> [String] {
        let name = "node \(origin.node.short) (\(origin.owner))"
        var problems: [String] = []
        var next: Int64 = 1
        var chain = ChangeChain.genesis(origin.node)
        let blocks = try Row.fetchCursor(
            db, sql: "SELECT first_seq, last_seq, chain, changes FROM change_block WHERE origin = ? ORDER BY first_seq",
            arguments: [origin.index])
        while let row = try blocks.next() {
            let first: Int64 = row["first_seq"]
            let last: Int64 = row["last_seq"]
            guard first == next, last >= first else {
                problems.append(
                    first > next
                        ? "\(name): the change log lacks changes \(next) to \(first - 1)"
                        : "\(name): the change log holds a block of changes \(first) to \(last) where change \(next) was expected")
                return problems
            }
            next = last + 1
            guard let stored = (row["chain"] as Data?).flatMap(ChainHash.init), let bytes = row["changes"] as Data? else {
                problems.append("\(name): the block of changes \(first) to \(last) has no chain value or no changes")
                return problems
            }
            let block = ChangeLog.Block(
                origin: origin.index, firstSeq: UInt64(first), lastSeq: UInt64(last), chain: stored, bytes: [UInt8](bytes))
            do {
                let entries = try block.entries()
                guard entries.count == last - first + 1 else {
                    problems.append("\(name): the block of changes \(first) to \(last) holds \(entries.count) changes")
                    return problems
                }
                for entry in entries {
                    var body = entry.body
                    let decoded = try StoredEncoding.decodeBody(&body, node: { origins.node(at: $0) })
                    guard let record = RecordKey(entry.recordText) else {
                        problems.append("\(name): change \(entry.seq) names '\(entry.recordText)', which is not a record key")
                        return problems
                    }
                    let change = Change(
                        origin: origin.node, seq: entry.seq, time: entry.time, record: record,
                        assignments: decoded.assignments, supersedes: decoded.supersedes)
                    guard ChangeChain.digest(change) == entry.digest else {
                        problems.append("\(name): change \(entry.seq) does not match the digest stored with it")
                        return problems
                    }
                    chain = ChangeChain.next(chain, entry.digest)
                }
            } catch let error as BinaryReader.Error {
                problems.append("\(name): the block of changes \(first) to \(last) cannot be read (\(error))")
                return problems
            } catch ReplicaError.damagedReplica(let reason) {
                problems.append("\(name): the block of changes \(first) to \(last): \(reason)")
                return problems
            }
            guard chain == stored else {
                problems.append("\(name): the chain value stored after change \(last) does not follow from the changes")
                return problems
            }
        }
        if next - 1 < counted {
            problems.append("\(name): the change log lacks changes \(next) to \(counted)")
        } else if next - 1 > counted {
            problems.append("\(name): the change log holds changes up to \(next - 1), past the \(counted) the origin table counts")
        }
        return problems
    }
}
