import Foundation
import GRDB
import NAPModel

/// The working set of one write transaction: the origin directory, the record states it touched, and the
/// hybrid logical clock. Every mutation, local or received, goes through `append`, so the change log, the record
/// state and the vector clock always move together in one SQLite transaction: through `record`, which applies the
/// change to its state first, or after `setPlain` rewrote the state itself.
struct ReplicaTransaction {
    let db: Database
    let identity: NodeIdentity
    var origins: OriginDirectory
    /// The records this transaction touched since the last flush, mutated in place as changes apply, and where
    /// each is in `touched`.
    private var touched: [Touched] = []
    private var positions: [RecordKey: Int] = [:]
    /// For the change set being applied, where each of its records is in `touched` (by the number the set gives
    /// it, see `ChangeDecoder`), or -1 before the writer first meets it: most changes of a set edit a record the
    /// set named before, and this finds it without hashing its key.
    private var setRecordPositions: [Int] = []
    private var chains: [NodeID: ChainHash] = [:]
    /// The chain value after the last change recorded, which `chains` gets when a change of another origin is
    /// recorded and at each flush: a batch of local writes then hashes no node id per change.
    private var lastChain: (origin: NodeID, value: ChainHash)?
    /// The keys the record table may hold (see `RecordKeyFilter`): from the snapshot, or built once this
    /// transaction has looked up `missesBeforeKeyFilter` records the table did not hold.
    private(set) var recordKeys: RecordKeyFilter?
    private var misses = 0
    /// The changes the replica held when this transaction first considered building `recordKeys`.
    private var keyFilterChangesHeld: Int?
    /// Records this transaction knew new from `recordKeys` alone, without looking them up.
    private(set) var vouchedNew = 0
    private var lastTime: Int64
    private let receivedAt: Double
    // The hot statements, taken from GRDB's statement cache on first use and bound raw (see RawStatement).
    private var selectState: RawStatement?
    private var insertBlock: RawStatement?
    private var insertRecord: RawStatement?
    /// What a local write to a plain record reuses from one record to the next (see `setPlain`).
    var plainFields = PlainFields()
    /// Where a local change's canonical bytes are laid out to be hashed, reused from one change to the next.
    private var digestScratch = BinaryWriter()
    private var updateRecord: RawStatement?
    /// The run of changes appended last, written to the log as one row when the next change does not continue
    /// it, before the log is read, and at each flush (see `ChangeBlock`).
    private var block: ChangeBlock.Builder?
    /// For each origin, the digests of the block a replay was last compared against, read once: a re-delivered
    /// set replays consecutive changes of an origin, possibly interleaved with other origins' changes.
    private var replayedBlocks: [Int64: (block: ChangeLog.Block, digests: [ChainHash])] = [:]
    /// What this transaction leaves for the next one if it commits (see `WriterSnapshot`); made at the first flush.
    private var pending: PendingSnapshot?
    /// `PRAGMA data_version` as read when the transaction started, if it was read then.
    private let dataVersionAtStart: Int64?
    /// Where large values this transaction is done with are freed, when the caller gave one (it waits for it
    /// after the commit); without one they are freed here.
    let releases: ReleaseQueue?
    /// Versions that changes of this transaction superseded, freed a run at a time (see `record`).
    private var retired: [RecordState.Slot] = []

    private struct Touched {
        let key: RecordKey
        /// The state, once something needed it decoded; nil while `stored` alone holds it.
        var decoded: RecordState?
        /// The state's bytes as stored, while only local writes to a plain state changed it (`setPlain`); nil
        /// once a change was applied to the decoded state.
        var stored: [UInt8]?
        var conflictsBefore: Int
        /// Whether the record table held the record when it was loaded: its row is then updated in place, which
        /// finds it once, where an upsert looks for it twice (row 1g).
        let held: Bool
        /// Whether a change reached the state in this transaction: only those states are written back.
        var changed = false
    }

    init(_ db: Database, identity: NodeIdentity, releases: ReleaseQueue? = nil, now: Date = Date()) throws {
        self.db = db
        self.identity = identity
        self.releases = releases
        let (snapshot, dataVersion) = try WriterSnapshotCache.snapshot(for: db)
        self.dataVersionAtStart = dataVersion
        if let snapshot {
            self.origins = snapshot.origins
            self.lastTime = snapshot.lastTime
            self.chains = snapshot.chains
            self.recordKeys = snapshot.recordKeys
        } else {
            self.origins = try OriginDirectory(db)
            // The hybrid time resumes after the newest change held. Replicas written before that was derived kept
            // it in the node table, which stays a floor.
            let stored = try Int64.fetchOne(db.cachedStatement(sql: "SELECT CAST(value AS INTEGER) FROM node WHERE key = 'hlc'")) ?? 0
            self.lastTime = max(stored, origins.newestChangeTime)
        }
        self.receivedAt = now.timeIntervalSince1970
    }

    /// The stored state of a record, or an empty one.
    mutating func state(of record: RecordKey) throws -> RecordState {
        try decodedState(at: position(of: record))
    }

    /// The state at `position` in `touched`, decoded first if only its stored bytes were held.
    private mutating func decodedState(at position: Int) throws -> RecordState {
        if let decoded = touched[position].decoded { return decoded }
        let origins = self.origins
        let decoded = try StoredEncoding.decodeState(touched[position].stored ?? [], node: { origins.node(at: $0) })
        touched[position].decoded = decoded
        return decoded
    }

    /// A plain record's stored state (`PlainStoredState`), or `.empty` for a record the replica does not hold, and
    /// where it is in `touched`; nil when the record is not plain.
    mutating func plainState(of record: RecordKey) throws -> (position: Int, state: PlainStoredState)? {
        let position = try position(of: record)
        if let stored = touched[position].stored {
            return PlainStoredState(stored).map { (position, $0) }
        }
        return touched[position].decoded?.isEmpty == true ? (position, .empty) : nil
    }

    /// Replaces the state at `position` with `stored`, the bytes a local write to a plain state left (`setPlain`).
    mutating func replaceState(at position: Int, with stored: [UInt8]) {
        touched[position].stored = stored
        touched[position].decoded = nil
        touched[position].changed = true
    }

    /// A transaction builds the filter of record keys (`RecordKeyFilter`), which reads every key of the table,
    /// once this many of its lookups found nothing: a batch of new records, not a single write nor a batch of
    /// edits, which the filter would not spare a lookup...
    static let missesBeforeKeyFilter = 64
    /// ... and at least one for every this many changes the replica holds (it holds no more records than changes):
    /// reading a key costs a fraction of a lookup, so a build costs at most a few times the lookups the batch has
    /// made, and a small batch on a large replica never reads the whole table.
    static let changesPerMissForKeyFilter = 64

    /// Where `record`'s state is in `touched`, loading it first if this transaction has not touched it yet.
    private mutating func position(of record: RecordKey) throws -> Int {
        // One hash for the lookup and the insertion: the slot is claimed for the record's next position, and given
        // up if loading it fails, so that a caller who catches the error finds the working set as it was.
        let next = touched.count
        let held = Self.claim(&positions[record, default: -1], for: next)
        if held >= 0 { return held }
        do {
            try load(record)
        } catch {
            positions[record] = nil
            throw error
        }
        return next
    }

    private static func claim(_ slot: inout Int, for next: Int) -> Int {
        let held = slot
        if held < 0 { slot = next }
        return held
    }

    /// Appends `record`'s state to `touched`: the stored bytes, or an empty state when the table does not hold it.
    private mutating func load(_ record: RecordKey) throws {
        if recordKeys == nil, misses >= Self.missesBeforeKeyFilter {
            let changesHeld = keyFilterChangesHeld ?? origins.entries.reduce(0) { $0 + Int(clamping: $1.seq) }
            keyFilterChangesHeld = changesHeld
            if misses >= changesHeld / Self.changesPerMissForKeyFilter {
                // The working set was made room for as large as the batch (`reserveCapacity(forRecords:)`).
                recordKeys = try RecordKeyFilter.load(db, expected: positions.capacity)
            }
        }
        if let recordKeys, !recordKeys.mayContain(record) {
            vouchedNew += 1
            touched.append(Touched(key: record, decoded: RecordState(), stored: nil, conflictsBefore: 0, held: false))
            return
        }
        if selectState == nil { selectState = try RawStatement(db, sql: WritePathSQL.selectState) }
        let select = selectState!
        let row = try select.withBound(1, text: record.description) { try select.first { ($0.columnBytes(0), Int($0.columnInt64(1))) } }
        // Decoded only when something needs it: a local write to a plain state works on the bytes.
        if let (blob, conflicts) = row {
            touched.append(Touched(key: record, decoded: nil, stored: blob, conflictsBefore: conflicts, held: true))
        } else {
            misses += 1
            touched.append(Touched(key: record, decoded: RecordState(), stored: nil, conflictsBefore: 0, held: false))
        }
    }

    /// `position(of:)` for the record a change set numbers `number`.
    private mutating func position(of record: RecordKey, numbered number: Int) throws -> Int {
        if number < setRecordPositions.count, setRecordPositions[number] >= 0 { return setRecordPositions[number] }
        let position = try position(of: record)
        if number >= setRecordPositions.count {
            setRecordPositions.append(contentsOf: repeatElement(-1, count: number + 1 - setRecordPositions.count))
        }
        setRecordPositions[number] = position
        return position
    }

    /// From this many records, a flush hands the states it wrote to `releases` rather than free them itself.
    static let releasedStates = 1024
    /// Superseded versions are handed to `releases` this many at a time: an apply of edits frees one per field
    /// it writes, which was about 5% of the writer's samples in row 2a when done in `RecordState.apply`.
    static let retiredRun = 1024

    private mutating func releaseRetired() {
        if let releases {
            let run = retired
            retired = []
            retired.reserveCapacity(Self.retiredRun)
            releases.hold(run)
        } else {
            retired.removeAll(keepingCapacity: true)
        }
    }

    /// Starts applying a change set of `changeCount` changes: its record numbers start afresh, and room is made
    /// for its records, so that the working set is not rehashed as it grows.
    mutating func beginChangeSet(changeCount: Int) {
        setRecordPositions.removeAll(keepingCapacity: true)
        reserveCapacity(forRecords: changeCount)
    }

    /// Makes room for `count` more records in the working set, so that it is not rehashed as it grows.
    mutating func reserveCapacity(forRecords count: Int) {
        positions.reserveCapacity(positions.count + count)
        touched.reserveCapacity(touched.count + count)
    }

    /// Makes a new local change and records it (`record`).
    mutating func makeLocalChange(record: RecordKey, assignments: [Assignment], supersedes: [Dot], now: Date = Date()) throws -> Change {
        var change = try nextLocalChange(record: record, assignments: assignments, supersedes: supersedes, now: now)
        let (body, digest) = localBodyAndDigest(of: change, encodedPairs: nil)
        try self.record(&change, digest: digest, prepared: PreparedChange(chain: nil, body: body), local: true)
        return change
    }

    /// The next local change, not recorded yet: the next sequence number of this node, the next hybrid time.
    mutating func nextLocalChange(record: RecordKey, assignments: [Assignment], supersedes: [Dot], now: Date = Date()) throws -> Change {
        let wall = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        _ = try origins.index(of: identity.nodeID, owner: identity.owner.slug, db: db)
        return Change(
            // Never past the latest time a change may carry (`Change.latestTime`), which peers would refuse: a
            // replica holding a change at that time, or one from before received times were bounded, writes at it.
            origin: identity.nodeID, seq: origins.seq(of: identity.nodeID) + 1,
            time: min(max(wall, lastTime < Change.latestTime ? lastTime + 1 : Change.latestTime), Change.latestTime),
            record: record, assignments: assignments, supersedes: supersedes)
    }

    /// A local change's stored body and digest, its assignments encoded once for both. `encodedPairs`, when given,
    /// holds them encoded already (see `StoredEncoding.encodeBody(assignmentCount:pairs:supersedes:index:)`).
    mutating func localBodyAndDigest(of change: Change, encodedPairs: [UInt8]?) -> (body: [UInt8], digest: ChainHash) {
        // The closures read the directory in place: a copy of it would retain and release each of its tables.
        let body =
            if let encodedPairs {
                StoredEncoding.encodeBody(
                    assignmentCount: change.assignments.count, pairs: encodedPairs, supersedes: change.supersedes,
                    index: { self.origins.index(of: $0)! })
            } else {
                StoredEncoding.encodeBodyAndAssignmentsEnd(change, index: { self.origins.index(of: $0)! })
            }
        let digest = ChangeChain.digest(change, encodedAssignments: body.bytes[..<body.assignmentsEnd], scratch: &digestScratch)
        return (body.bytes, digest)
    }

    /// Applies a change to its record, appends it to the log and advances the clock. The caller has checked
    /// that it is the origin's next change and that its causal context is held. `prepared` holds the chain
    /// value and the stored body when the caller computed them ahead (see `DecodedBatches`). `recordNumber` is
    /// the change's record as the set being applied numbers it (see `beginChangeSet`).
    mutating func record(
        _ change: inout Change, digest: ChainHash, prepared: PreparedChange? = nil, recordNumber: Int? = nil, local: Bool = false
    ) throws {
        let position =
            if let recordNumber {
                try self.position(of: change.record, numbered: recordNumber)
            } else {
                try self.position(of: change.record)
            }
        _ = try decodedState(at: position)
        touched[position].decoded!.apply(change, retiring: &retired)
        touched[position].stored = nil
        touched[position].changed = true
        if retired.count >= Self.retiredRun { releaseRetired() }
        try append(change, digest: digest, prepared: prepared, local: local)
    }

    /// Appends a change to the log and advances the clock, leaving its record's state to the caller: `record`
    /// applied it, or `setPlain` rewrote it. A local change leaves the origin row alone: the change log holds this
    /// node's clock entry (see `OriginDirectory.init`).
    mutating func append(_ change: Change, digest: ChainHash, prepared: PreparedChange?, local: Bool) throws {
        lastTime = max(lastTime, change.time)
        guard let originIndex = origins.index(of: change.origin) else {
            throw ReplicaError.damagedReplica(reason: "node \(change.origin.short) has no local origin index, although its change \(change.seq) is being recorded")
        }
        let body = prepared?.body ?? StoredEncoding.encodeBody(change, index: { origins.index(of: $0)! })
        let chain = try prepared?.chain ?? ChangeChain.next(self.chain(of: change.origin), digest)
        if let finished = ChangeBlock.add(
            to: &block, origin: originIndex, seq: change.seq, time: change.time, record: change.record.description, body: body,
            digest: digest, chain: chain)
        {
            try write(finished)
        }
        if let lastChain, lastChain.origin != change.origin { chains[lastChain.origin] = lastChain.value }
        lastChain = (change.origin, chain)
        if local {
            origins.advance(change.origin, to: change.seq, at: Double(change.time) / 1000, persisting: false)
        } else {
            origins.advance(change.origin, to: change.seq, at: receivedAt)
        }
    }

    /// The chain value after the last change held from `origin`.
    mutating func chain(of origin: NodeID) throws -> ChainHash {
        if let lastChain, lastChain.origin == origin { return lastChain.value }
        if let cached = chains[origin] { return cached }
        let seq = origins.seq(of: origin)
        guard seq > 0, let index = origins.index(of: origin) else { return ChangeChain.genesis(origin) }
        try writeBlock()
        let chain = try ChangeLog.chain(after: seq, of: origin, origin: index, db: db)
        chains[origin] = chain
        return chain
    }

    func storeCheckpoint(origin index: Int64, seq: UInt64, signature: Data, tailFrom: UInt64, tail: Data) throws {
        try db.cachedStatement(sql: "INSERT OR IGNORE INTO checkpoint (origin, seq, signature, tail_from, tail) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [index, Int64(seq), signature, Int64(tailFrom), tail])
    }

    /// The digest of a change already held, to compare a re-delivered change against it: it covers the change's
    /// canonical bytes, so two changes are the same only if they are the same bytes.
    mutating func storedDigest(_ dot: Dot) throws -> ChainHash? {
        guard let index = origins.index(of: dot.origin) else { return nil }
        try writeBlock()
        if replayedBlocks[index]?.block.holds(dot.seq, of: index) != true {
            guard let block = try ChangeLog.block(holding: dot.seq, origin: index, db: db) else { return nil }
            replayedBlocks[index] = (block, try block.entries().map(\.digest))
        }
        guard let (block, digests) = replayedBlocks[index], dot.seq - block.firstSeq < UInt64(digests.count) else { return nil }
        return digests[Int(dot.seq - block.firstSeq)]
    }

    /// Writes the block being filled, if any, to the change log.
    mutating func writeBlock() throws {
        guard let block else { return }
        self.block = nil
        try write(block)
    }

    private mutating func write(_ block: ChangeBlock.Builder) throws {
        if insertBlock == nil { insertBlock = try RawStatement(db, sql: WritePathSQL.insertBlock) }
        let insert = insertBlock!
        insert.bind(1, block.origin)
        insert.bind(2, Int64(block.firstSeq))
        insert.bind(3, Int64(block.lastSeq))
        insert.bind(4, block.lastTime)
        insert.bind(5, block.chain)
        insert.bind(6, block.bytes.bytes)
        try insert.execute()
    }

    /// Writes every touched record and the received part of the clock, and forgets the cached states so that a
    /// long transaction holds at most one chunk of records in memory. Returns how many conflicts were opened.
    @discardableResult
    mutating func flush() throws -> Int {
        try writeBlock()
        if !retired.isEmpty { releaseRetired() }
        var opened = 0
        if !touched.isEmpty {
            // A row is inserted only where the table did not hold it when this transaction loaded it (or the key
            // filter vouched for that): a plain insert, so that a row held after all fails the write instead of
            // being overwritten.
            if insertRecord == nil {
                insertRecord = try RawStatement(db, sql: WritePathSQL.insertRecord)
            }
            if updateRecord == nil {
                updateRecord = try RawStatement(db, sql: WritePathSQL.updateRecord)
            }
            let insert = insertRecord!
            let recordKeys = self.recordKeys
            let update = updateRecord!
            let origins = self.origins
            // Read through the buffer: `touched[position].key` would copy the whole entry out, state included.
            opened = try touched.withUnsafeBufferPointer { touched in
                // Rows the table held are updated in place, in any order: the same pages are dirtied whatever it is.
                // New rows are inserted in key order, which fills pages in sequence (`FlushOrder`).
                let changed = touched.indices.filter { touched[$0].changed }
                let order = changed.filter { touched[$0].held } + FlushOrder.sorted(changed.filter { !touched[$0].held }) { touched[$0].key }
                var opened = 0
                for position in order {
                    let key = touched[position].key
                    let blob: [UInt8]
                    var conflicts = 0
                    var removed = false
                    if let state = touched[position].decoded {
                        conflicts = state.mayConflict ? state.conflicts(of: key).count : 0
                        removed = state.isRemoved
                        blob = StoredEncoding.encode(state, index: { origins.index(of: $0)! })
                    } else {
                        // Written by `setPlain`: still plain, so neither removed nor in conflict.
                        blob = touched[position].stored!
                    }
                    opened += max(0, conflicts - touched[position].conflictsBefore)
                    if touched[position].held {
                        update.bind(1, Int64(removed ? 1 : 0))
                        update.bind(2, Int64(conflicts))
                        try update.withBound(3, bytes: blob) { try update.withBound(4, text: key.description) { try update.execute() } }
                    } else {
                        insert.bind(2, Int64(removed ? 1 : 0))
                        insert.bind(3, Int64(conflicts))
                        try insert.withBound(1, text: key.description) { try insert.withBound(4, bytes: blob) { try insert.execute() } }
                        recordKeys?.insert(key)
                    }
                }
                return opened
            }
        }
        if pending == nil {
            // As this transaction started, or read now, before this flush writes: the write lock is held since
            // `BEGIN IMMEDIATE` (`Replica.transaction`), so no other connection has committed in between.
            pending = PendingSnapshot(dataVersion: try dataVersionAtStart ?? WriterSnapshotCache.Stamp(db).dataVersion)
        }
        try origins.flush(db)
        if recordKeys?.isFull == true {
            // Past its size it answers "maybe" too often: the next batch, or the next chunk of this one, builds a
            // larger one.
            recordKeys = nil
            misses = 0
        }
        if let releases, touched.count >= Self.releasedStates {
            let finished = (touched, positions)
            touched = []
            positions = [:]
            releases.release(finished)
        } else {
            touched.removeAll(keepingCapacity: true)
            positions.removeAll(keepingCapacity: true)
        }
        // A flush ends the working set the numbers point into.
        setRecordPositions.removeAll(keepingCapacity: true)
        if let lastChain { chains[lastChain.origin] = lastChain.value }
        pending!.snapshot = WriterSnapshot(origins: origins, lastTime: lastTime, chains: chains, recordKeys: recordKeys)
        pending!.totalChanges = WriterSnapshotCache.Stamp.totalChanges(db)
        return opened
    }

    /// Called by the owner of the SQLite transaction once it committed: the next transaction on this connection
    /// may start from what this one left (see `WriterSnapshot`).
    func committed() {
        pending?.committed(on: db)
    }
}
