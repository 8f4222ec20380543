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
    private var lastTime: Int64
    private let receivedAt: Double

    init(_ db: Database, identity: NodeIdentity, now: Date = Date()) throws {
        self.db = db
        self.identity = identity
        self.origins = try OriginDirectory(db)
        self.lastTime = try Int64.fetchOne(db, sql: "SELECT CAST(value AS INTEGER) FROM node WHERE key = 'hlc'") ?? 0
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
        var state = try self.state(of: change.record)
        state.apply(change)
        states[change.record]!.state = state
        lastTime = max(lastTime, change.time)
        let origins = self.origins
        let body = StoredEncoding.encodeBody(change, index: { origins.index(of: $0)! })
        try db.cachedStatement(sql: "INSERT INTO change (origin, seq, time, record, body) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [origins.index(of: change.origin)!, Int64(change.seq), change.time, change.record.description, Data(body)])
        self.origins.advance(change.origin, to: change.seq, at: receivedAt)
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
            let conflicts = entry.state.conflicts(of: key).count
            opened += max(0, conflicts - entry.conflictsBefore)
            let blob = StoredEncoding.encode(entry.state, index: { origins.index(of: $0)! })
            try upsert.execute(arguments: [
                key.description, key.kind.rawValue, key.owner.slug, entry.state.isRemoved, conflicts, Data(blob),
            ])
        }
        try origins.flush(db)
        try db.execute(sql: "INSERT OR REPLACE INTO node (key, value) VALUES ('hlc', ?)", arguments: [String(lastTime)])
        states.removeAll(keepingCapacity: true)
        return opened
    }
}
