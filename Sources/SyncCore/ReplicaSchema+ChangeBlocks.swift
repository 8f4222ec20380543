import Foundation
import GRDB
import NAPModel

extension ReplicaSchema {
    /// Schema v3: the change log moves from one row per change (`change`) to blocks of consecutive changes of one
    /// origin (`change_block`, see `ChangeBlock`). The rows are regrouped in their apply order, so the log replays
    /// in the same order as before. Changes stored before the chain existed (v1, no digest or chain value) get
    /// them computed here.
    ///
    /// `UNIQUE (origin, seq)` no longer guards against holding a change twice: the writer appends a change only
    /// as its origin's next one (`Replica.isNew`, `ReplicaTransaction.makeLocalChange`). A trigger refusing
    /// overlapping blocks was tried and cost about 4 µs per local write, most of what separates 1a from its target.
    static func moveChangesIntoBlocks(_ db: Database) throws {
        try db.execute(
            sql: """
                -- The change log, in local apply order (id): runs of consecutive changes of one origin. chain is the
                -- origin's chain value after last_seq; changes holds each change's time, record, body and digest.
                CREATE TABLE change_block (
                    id INTEGER PRIMARY KEY,
                    origin INTEGER NOT NULL REFERENCES origin(idx),
                    first_seq INTEGER NOT NULL,
                    last_seq INTEGER NOT NULL,
                    last_time INTEGER NOT NULL,
                    chain BLOB NOT NULL,
                    changes BLOB NOT NULL
                );
                CREATE UNIQUE INDEX change_block_origin_seq ON change_block(origin, last_seq, first_seq);
                """)
        var nodes: [Int64: NodeID] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT idx, node_id FROM origin") {
            if let node = NodeID(hex: row["node_id"]) { nodes[row["idx"]] = node }
        }
        // The statement as this migration shipped: `WritePathSQL` follows the schema of today.
        let insert = try db.makeStatement(
            sql: "INSERT INTO change_block (origin, first_seq, last_seq, last_time, chain, changes) VALUES (?, ?, ?, ?, ?, ?)")
        func write(_ full: ChangeBlock.Builder) throws {
            try insert.execute(arguments: [
                full.origin, Int64(full.firstSeq), Int64(full.lastSeq), full.lastTime, full.chain.data, Data(full.bytes.bytes),
            ])
        }
        var block: ChangeBlock.Builder?
        var chains: [Int64: (seq: UInt64, chain: ChainHash)] = [:]
        let rows = try Row.fetchCursor(db, sql: "SELECT origin, seq, time, record, body, digest, chain FROM change ORDER BY id")
        while let row = try rows.next() {
            let origin: Int64 = row["origin"]
            let seq = UInt64(row["seq"] as Int64)
            let time: Int64 = row["time"]
            let record: String = row["record"]
            let body = [UInt8](row["body"] as Data)
            guard let node = nodes[origin] else {
                throw ReplicaError.damagedReplica(reason: "change \(seq) of local origin \(origin) names an origin the origin table does not hold")
            }
            let digest = try (row["digest"] as Data?).flatMap { ChainHash($0) }
                ?? storedDigest(node: node, seq: seq, time: time, record: record, body: body, nodes: nodes)
            let chain: ChainHash
            if let stored = (row["chain"] as Data?).flatMap({ ChainHash($0) }) {
                chain = stored
            } else if seq == 1 {
                chain = ChangeChain.next(ChangeChain.genesis(node), digest)
            } else if let previous = chains[origin], previous.seq == seq - 1 {
                chain = ChangeChain.next(previous.chain, digest)
            } else {
                throw ReplicaError.damagedReplica(
                    reason: "change \(seq) of node \(node.short) has no chain value and the log holds no change \(seq - 1) of that node before it")
            }
            chains[origin] = (seq, chain)
            if let finished = ChangeBlock.add(
                to: &block, origin: origin, seq: seq, time: time, record: record, body: body, digest: digest, chain: chain)
            {
                try write(finished)
            }
        }
        if let block { try write(block) }
        try db.execute(sql: "DROP TABLE change")
    }

    /// The digest of a change stored before digests were kept.
    private static func storedDigest(
        node: NodeID, seq: UInt64, time: Int64, record: String, body: [UInt8], nodes: [Int64: NodeID]
    ) throws -> ChainHash {
        guard let key = RecordKey(record) else {
            throw ReplicaError.damagedReplica(reason: "change \(seq) of node \(node.short) names '\(record)', which is not a record key")
        }
        let decoded = try StoredEncoding.decodeBody(body, node: { nodes[$0] })
        return ChangeChain.digest(
            Change(origin: node, seq: seq, time: time, record: key, assignments: decoded.assignments, supersedes: decoded.supersedes))
    }
}
