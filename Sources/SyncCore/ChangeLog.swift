import GRDB

/// Reads of the change log (`change_block`, see `ChangeBlock`) that are not on an apply's or a pull's hot path:
/// one change, a chain value, the digests of a range.
enum ChangeLog {
    /// A stored block.
    struct Block {
        var origin: Int64
        var firstSeq: UInt64
        var lastSeq: UInt64
        /// The chain value after `lastSeq`.
        var chain: ChainHash
        var bytes: [UInt8]

        /// Whether this is the block of change `seq` of the origin with local index `origin`.
        func holds(_ seq: UInt64, of origin: Int64) -> Bool {
            origin == self.origin && seq >= firstSeq && seq <= lastSeq
        }

        /// The block's changes, in sequence order.
        func entries() throws -> [ChangeBlock.Entry] {
            var reader = ChangeBlock.Reader(bytes, firstSeq: firstSeq)
            var entries: [ChangeBlock.Entry] = []
            while let entry = try reader.next() { entries.append(entry) }
            return entries
        }
    }

    /// The block that holds change `seq` of the origin with local index `origin`, if the log holds it.
    static func block(holding seq: UInt64, origin: Int64, db: Database) throws -> Block? {
        let statement = try RawStatement(
            db,
            sql: """
                SELECT first_seq, last_seq, chain, changes FROM change_block
                WHERE origin = ? AND last_seq >= ? ORDER BY last_seq LIMIT 1
                """)
        statement.bind(1, origin)
        statement.bind(2, Int64(seq))
        let found = try statement.first { row -> Block? in
            guard let chain = ChainHash(row.columnBytes(2)) else { return nil }
            return Block(
                origin: origin, firstSeq: UInt64(row.columnInt64(0)), lastSeq: UInt64(row.columnInt64(1)), chain: chain,
                bytes: row.columnBytes(3))
        }
        guard let stored = found ?? nil, stored.firstSeq <= seq else { return nil }
        return stored
    }

    /// The chain value after change `seq` of `node` (local index `origin`); the genesis value for 0. Throws
    /// `ReplicaError.damagedReplica` when the log does not hold that change.
    static func chain(after seq: UInt64, of node: NodeID, origin: Int64, db: Database) throws -> ChainHash {
        guard seq > 0 else { return ChangeChain.genesis(node) }
        guard let block = try block(holding: seq, origin: origin, db: db) else {
            throw ReplicaError.damagedReplica(reason: "the change log lacks change \(seq) of node \(node.short), which the replica's clock counts")
        }
        if block.lastSeq == seq { return block.chain }
        // Inside a block: from the chain value before it, through its digests.
        var chain = try self.chain(after: block.firstSeq - 1, of: node, origin: origin, db: db)
        for entry in try block.entries() where entry.seq <= seq {
            chain = ChangeChain.next(chain, entry.digest)
        }
        return chain
    }

    /// The digests of the changes of origin `origin` after `after` up to `through`, in order; fewer when the log
    /// does not hold them all.
    static func digests(origin: Int64, after: UInt64, through: UInt64, db: Database) throws -> [ChainHash] {
        guard through > after else { return [] }
        let statement = try RawStatement(
            db,
            sql: """
                SELECT first_seq, changes FROM change_block
                WHERE origin = ? AND last_seq > ? AND first_seq <= ? ORDER BY last_seq
                """)
        statement.bind(1, origin)
        statement.bind(2, Int64(after))
        statement.bind(3, Int64(through))
        var digests: [ChainHash] = []
        var expected = after + 1
        try statement.forEachRow { row in
            var reader = ChangeBlock.Reader(row.columnBytes(1), firstSeq: UInt64(row.columnInt64(0)))
            while let entry = try reader.next(), entry.seq <= through {
                guard entry.seq >= expected else { continue }
                // A hole in the log leaves the list short, as the caller expects.
                guard entry.seq == expected else { return false }
                digests.append(entry.digest)
                expected += 1
            }
            return true
        }
        return digests
    }
}
