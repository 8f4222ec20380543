import GRDB

/// The nodes a replica knows: their local index, owner and clock entry. Loaded from the `origin` table, or
/// taken from the last committed write transaction's snapshot (see `WriterSnapshot`).
///
/// Stored blobs name nodes by a small local index rather than the 16-byte node id; this maps between them.
struct OriginDirectory {
    struct Entry {
        var index: Int64
        var node: NodeID
        var owner: String
        var seq: UInt64
        var lastReceived: Double?
    }

    private(set) var entries: [Entry] = []
    /// The nodes of `entries`, in the same order, searched linearly while there are few of them (see
    /// `position(of:)`), and through `positionByNode` beyond that.
    private var nodes: [NodeID] = []
    private var positionByNode: [NodeID: Int] = [:]
    private var positionByIndex: [Int64: Int] = [:]
    private var dirty = Set<Int>()

    /// The newest change time held, over every origin: where the hybrid clock resumes (see
    /// `ReplicaTransaction.init`), as no transaction stores the hybrid time itself. An origin's changes carry
    /// increasing times, so its newest change has its latest time.
    private(set) var newestChangeTime: Int64 = 0

    /// Loads the directory. An origin's clock entry is the higher of its row and its newest change: local
    /// writes leave the row alone (see `advance(_:to:at:persisting:)`), so that a one-record save writes the
    /// change and the record and nothing else; the change log is the truth, the row a floor. For such an origin
    /// the arrival time is its newest change's time.
    init(_ db: Database) throws {
        let sql = """
            SELECT o.idx, o.node_id, o.owner, o.seq, o.last_received, b.last_seq AS newest, b.last_time AS newest_time
            FROM origin o
            LEFT JOIN change_block b ON b.origin = o.idx AND b.last_seq = (SELECT max(last_seq) FROM change_block WHERE origin = o.idx)
            ORDER BY o.idx
            """
        for row in try Row.fetchAll(db.cachedStatement(sql: sql)) {
            guard let node = NodeID(hex: row["node_id"]) else { continue }
            let index: Int64 = row["idx"]
            // Two blocks of an origin that both end at its newest change (damage: blocks never overlap) would
            // list it twice; the clock still resumes after the later of their times.
            guard positionByIndex[index] == nil else {
                if let time = row["newest_time"] as Int64? { newestChangeTime = max(newestChangeTime, time) }
                continue
            }
            guard let seq = UInt64(exactly: row["seq"] as Int64) else {
                throw ReplicaError.damagedReplica(reason: "the origin table gives node \(node.short) a negative sequence number")
            }
            var entry = Entry(index: index, node: node, owner: row["owner"], seq: seq, lastReceived: row["last_received"])
            if let newest = row["newest"] as Int64?, let time = row["newest_time"] as Int64? {
                guard let newest = UInt64(exactly: newest) else {
                    throw ReplicaError.damagedReplica(reason: "the change log gives node \(node.short) a negative sequence number")
                }
                newestChangeTime = max(newestChangeTime, time)
                if newest > entry.seq {
                    entry.seq = newest
                    entry.lastReceived = Double(time) / 1000
                }
            }
            positionByNode[node] = entries.count
            positionByIndex[entry.index] = entries.count
            entries.append(entry)
            nodes.append(node)
        }
    }

    /// Below this many nodes, comparing node ids one by one costs less than hashing one: a network has a
    /// coordinator and a node or two per department, and an apply looks an origin up several times per change.
    private static let linearSearchLimit = 32

    private func position(of node: NodeID) -> Int? {
        guard nodes.count <= Self.linearSearchLimit else { return positionByNode[node] }
        for position in nodes.indices where nodes[position] == node { return position }
        return nil
    }

    func entry(for node: NodeID) -> Entry? { position(of: node).map { entries[$0] } }

    func node(at index: Int64) -> NodeID? { positionByIndex[index].map { entries[$0].node } }

    // These read one field in place rather than copy the entry out (its owner string would be retained and
    // released): they run several times per change applied.
    func seq(of node: NodeID) -> UInt64 { position(of: node).map { entries[$0].seq } ?? 0 }

    var owners: [NodeID: String] { Dictionary(uniqueKeysWithValues: entries.map { ($0.node, $0.owner) }) }

    var clock: VectorClock { VectorClock(Dictionary(uniqueKeysWithValues: entries.map { ($0.node, $0.seq) })) }

    /// The local index of `node`, registering it with `owner` if it is new.
    mutating func index(of node: NodeID, owner: String, db: Database) throws -> Int64 {
        if let position = position(of: node) { return entries[position].index }
        try db.execute(sql: "INSERT INTO origin (node_id, owner) VALUES (?, ?)", arguments: [node.hex, owner])
        let entry = Entry(index: db.lastInsertedRowID, node: node, owner: owner, seq: 0, lastReceived: nil)
        positionByNode[node] = entries.count
        positionByIndex[entry.index] = entries.count
        entries.append(entry)
        nodes.append(node)
        return entry.index
    }

    func index(of node: NodeID) -> Int64? { position(of: node).map { entries[$0].index } }

    /// Every known node's local index.
    var indexes: [NodeID: Int64] { positionByNode.mapValues { entries[$0].index } }

    /// Moves `node`'s clock entry to `seq`. With `persisting` false the row is not rewritten at the next flush:
    /// the change log already says it (see `init`).
    mutating func advance(_ node: NodeID, to seq: UInt64, at time: Double, persisting: Bool = true) {
        guard let position = position(of: node) else { return }
        entries[position].seq = seq
        entries[position].lastReceived = time
        if persisting { dirty.insert(position) }
    }

    /// Writes the advanced clock entries back.
    mutating func flush(_ db: Database) throws {
        defer { dirty.removeAll(keepingCapacity: true) }
        let statement = try db.cachedStatement(sql: "UPDATE origin SET seq = ?, last_received = ? WHERE idx = ?")
        for position in dirty {
            let entry = entries[position]
            try statement.execute(arguments: [Int64(entry.seq), entry.lastReceived, entry.index])
        }
    }
}
