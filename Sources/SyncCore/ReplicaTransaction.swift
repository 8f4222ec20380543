import Foundation
import GRDB
import NAPModel

/// The working set of one write transaction: the origin directory, the record states it touched, and the
/// hybrid logical clock. Every mutation, local or received, goes through `record(_:)`, so the change log,
/// the record state and the vector clock always move together in one SQLite transaction.
struct ReplicaTransaction {
    let db: Database
    let identity: NodeIdentity
    var origins: OriginDirectory
    private var states: [RecordKey: (state: RecordState, conflictsBefore: Int)] = [:]
    private var chains: [NodeID: Data] = [:]
    private var lastTime: Int64
    private let receivedAt: Double

    init(_ db: Database, identity: NodeIdentity, now: Date = Date()) throws {
        self.db = db
        self.identity = identity
        self.origins = try OriginDirectory(db)
        self.lastTime = try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM node WHERE key = 'hlc'")) ?? 0
        self.receivedAt = now.timeIntervalSince1970
    }

    /// The stored state of a record, or an empty one.
    mutating func state(of record: RecordKey) throws -> RecordState {
        if let cached = states[record] { return cached.state }
        let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT state, conflicts FROM record WHERE key = ?"), arguments: [record.description])
        let state: RecordState
        if let row {
            let origins = self.origins
            state = try StoredEncoding.decodeState([UInt8](row["state"] as Data), node: { origins.node(at: $0) })
        } else {
            state = RecordState()
        }
        states[record] = (state, row?["conflicts"] ?? 0)
        return state
    }

    /// Makes a new local change: the next sequence number of this node, the next hybrid time.
    mutating func makeLocalChange(record: RecordKey, assignments: [Assignment], supersedes: [Dot], now: Date = Date()) throws -> Change {
        let wall = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let change = Change(
            origin: identity.nodeID, seq: origins.seq(of: identity.nodeID) + 1, time: max(wall, lastTime + 1),
            record: record, assignments: assignments, supersedes: supersedes)
        _ = try origins.index(of: identity.nodeID, owner: identity.owner.slug, db: db)
        try self.record(change)
        return change
    }

    /// Appends a change to the log, applies it to its record and advances the clock. The caller has checked
    /// that it is the origin's next change and that its causal context is held.
    mutating func record(_ change: Change) throws {
        _ = try self.state(of: change.record)
        states[change.record]!.state.apply(change)
        lastTime = max(lastTime, change.time)
        let origins = self.origins
        let body = StoredEncoding.encodeBody(change, index: { origins.index(of: $0)! })
        let digest = ChangeChain.digest(change)
        let chain = ChangeChain.next(try self.chain(of: change.origin), digest)
        try db.cachedStatement(sql: "INSERT INTO change (origin, seq, time, record, body, digest, chain) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [
                origins.index(of: change.origin)!, Int64(change.seq), change.time, change.record.description, Data(body), digest, chain,
            ])
        chains[change.origin] = chain
        self.origins.advance(change.origin, to: change.seq, at: receivedAt)
    }

    /// The chain value after the last change held from `origin`.
    mutating func chain(of origin: NodeID) throws -> Data {
        if let cached = chains[origin] { return cached }
        let seq = origins.seq(of: origin)
        guard seq > 0, let index = origins.index(of: origin) else { return ChangeChain.genesis(origin) }
        guard let chain = try Data.fetchOne(db, sql: "SELECT chain FROM change WHERE origin = ? AND seq = ?", arguments: [index, Int64(seq)])
        else { throw StoredEncoding.UnknownOrigin() }
        chains[origin] = chain
        return chain
    }

    func storeCheckpoint(origin index: Int64, seq: UInt64, signature: Data, tailFrom: UInt64, tail: Data) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO checkpoint (origin, seq, signature, tail_from, tail) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [index, Int64(seq), signature, Int64(tailFrom), tail])
    }

    /// The stored body of a change already held, to compare a re-delivered change against it.
    func storedChange(_ dot: Dot) throws -> (time: Int64, record: String, assignments: [Assignment], supersedes: [Dot])? {
        guard let index = origins.index(of: dot.origin) else { return nil }
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT time, record, body FROM change WHERE origin = ? AND seq = ?"),
            arguments: [index, Int64(dot.seq)])
        else { return nil }
        let origins = self.origins
        let body = try StoredEncoding.decodeBody([UInt8](row["body"] as Data), node: { origins.node(at: $0) })
        return (row["time"], row["record"], body.assignments, body.supersedes)
    }

    /// Writes every touched record, the clock and the hybrid time, and forgets the cached states so that a
    /// long transaction holds at most one chunk of records in memory. Returns how many conflicts were opened.
    @discardableResult
    mutating func flush() throws -> Int {
        let origins = self.origins
        let upsert = try db.cachedStatement(
            sql: """
                INSERT INTO record (key, kind, owner, removed, conflicts, state) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(key) DO UPDATE SET removed = excluded.removed, conflicts = excluded.conflicts, state = excluded.state
                """)
        var opened = 0
        for (key, entry) in states {
            let conflicts = entry.state.mayConflict ? entry.state.conflicts(of: key).count : 0
            opened += max(0, conflicts - entry.conflictsBefore)
            let blob = StoredEncoding.encode(entry.state, index: { origins.index(of: $0)! })
            try upsert.execute(arguments: [
                key.description, key.kind.rawValue, key.owner.slug, entry.state.isRemoved, conflicts, Data(blob),
            ])
        }
        try origins.flush(db)
        try db.cachedStatement(sql: "INSERT OR REPLACE INTO node (key, value) VALUES ('hlc', ?)").execute(arguments: [String(lastTime)])
        states.removeAll(keepingCapacity: true)
        return opened
    }
}
