import Foundation
import GRDB
import Logging
import NAPModel

extension Replica: ChangeSetExchange {
    public var nodeID: NodeID { identity.nodeID }

    public func currentClock() throws -> VectorClock { try clock() }

    /// Selects what a peer lacks straight from the change log by (origin, sequence) ranges: the cost grows with
    /// the changes sent, not with the size of the dataset. Changes come out in local apply order, which is a
    /// causal order, so the peer can apply them as they come. A set stops early, with `hasMore`, once its
    /// changes' stored bytes pass `maxChangeSetBytes`, so that a chunk of long narratives still fits a request.
    public func changeSet(missingFrom peerClock: VectorClock, maxChanges: Int, compression: ChangeSetCompression) throws
        -> OutgoingChangeSet?
    {
        try changeSet(missingFrom: peerClock, maxChanges: maxChanges, maxBytes: Self.maxChangeSetBytes, compression: compression)
    }

    /// As `changeSet(missingFrom:maxChanges:compression:)`, stopping once the changes' stored bytes reach
    /// `maxBytes` (after at least one change).
    public func changeSet(
        missingFrom peerClock: VectorClock, maxChanges: Int, maxBytes: Int, compression: ChangeSetCompression = .fast
    ) throws -> OutgoingChangeSet? {
        try database.read { db -> OutgoingChangeSet? in
            let origins = try OriginDirectory(db)
            let lacking = origins.entries.filter { $0.seq > peerClock[$0.node] }
            guard !lacking.isEmpty else { return nil }
            // The first changes in apply order are among the first of each origin's range (an origin's changes
            // are applied in sequence order), so each range is read only as far as one chunk: the cost of a
            // chunk does not grow with what the peer still lacks after it. The blocks of each range are found
            // from the (origin, last_seq) index alone; only the blocks sent are read from the table.
            let ranges = try RawStatement(
                db, sql: "SELECT id, first_seq, last_seq FROM change_block WHERE origin = ? AND last_seq > ? ORDER BY last_seq")
            var blockIDs: [Int64] = []
            for entry in lacking {
                let held = peerClock[entry.node]
                var covered: UInt64 = 0
                ranges.bind(1, entry.index)
                ranges.bind(2, Int64(held))
                try ranges.forEachRow { row in
                    blockIDs.append(row.columnInt64(0))
                    covered += UInt64(row.columnInt64(2)) - max(UInt64(row.columnInt64(1)), held + 1) + 1
                    return covered <= UInt64(maxChanges)
                }
            }
            // Blocks in id order, and each block's changes in order, are the local apply order: a causal order.
            blockIDs.sort()
            let blocks = try RawStatement(db, sql: "SELECT origin, first_seq, changes FROM change_block WHERE id = ?")
            // Stored changes go into the set's columns as they are: a served change is never decoded.
            var columns = ChangeSetColumns<Int64>(expectedChanges: min(maxChanges, 1 << 16))
            var hasMore = false
            var bytes = 0
            var stored: [UInt8] = []
            let heldByIndex = Dictionary(uniqueKeysWithValues: lacking.map { ($0.index, peerClock[$0.node]) })
            sending: for id in blockIDs {
                blocks.bind(1, id)
                guard let (origin, firstSeq) = try blocks.first({ row -> (Int64, UInt64) in
                    row.columnBytes(2, into: &stored)
                    return (row.columnInt64(0), UInt64(row.columnInt64(1)))
                }) else { continue }
                let held = heldByIndex[origin] ?? 0
                var reader = ChangeBlock.Reader(stored, firstSeq: firstSeq)
                while let entry = try reader.next() {
                    guard entry.seq > held else { continue }
                    guard columns.changeCount < maxChanges, bytes < maxBytes else {
                        hasMore = true
                        break sending
                    }
                    // What a set's size is counted in: each change's stored body and record key.
                    bytes += entry.body.remaining + entry.record.count
                    try StoredEncoding.appendStoredChange(origin: origin, entry: entry, to: &columns)
                }
            }
            func node(_ index: Int64) throws -> NodeID {
                guard let node = origins.node(at: index) else {
                    throw ReplicaError.damagedReplica(reason: "the change log names local origin \(index), which the origin table does not hold")
                }
                return node
            }
            var after = peerClock
            var lastSeqs: [NodeID: UInt64] = [:]
            for run in columns.origins {
                let origin = try node(run.origin)
                lastSeqs[origin] = run.lastSeq
                after[origin] = max(after[origin], run.lastSeq)
            }
            let proofs = try proofs(lastSeqs: lastSeqs, origins: origins, db: db)
            let data = try ChangeSetFormat.seal(
                columns, node: node, owners: origins.owners, sender: identity.nodeID, datasetID: identity.datasetID,
                level: compression.zlibLevel, proofs: proofs)
            return OutgoingChangeSet(data: data, changeCount: columns.changeCount, peerClockAfter: after, hasMore: hasMore)
        }
    }

    /// Where a change set stops growing, in stored bytes of its changes (values, record keys, context), below
    /// the default HTTP body limit of 32 MiB (protocol.md §7) whatever the values compress to.
    public static let maxChangeSetBytes = 16 << 20

    /// Most changes in one change set unless configured otherwise: for sessions (`sync.chunk-size`) and bundles.
    /// Each set costs a transaction and its commit on the receiver, and an origin signs at the last change of a
    /// set it sends, so larger sets mean less fixed work per change and shorter relayed tails; the price is
    /// memory per request (docs/benchmarks.md, row 6a').
    public static let defaultChunkSize = 20_000

    /// An empty change set: what a bundle for a peer that lacks nothing holds.
    public func emptyChangeSet() throws -> Data {
        try ChangeSetFormat.encode([], owners: [:], sender: identity.nodeID, datasetID: identity.datasetID)
    }

    public func apply(changeSet data: Data) throws -> ApplyReport {
        try apply(changeSet: data, from: "peer")
    }

    /// Applies a change set in one transaction. Already-held changes are skipped (after checking they are
    /// identical), so duplicates and replays are harmless; a gap, a missing dependency or a write the origin
    /// has no right to make refuses the whole set.
    public func apply(changeSet data: Data, from label: String, limits: ChangeSetFormat.Limits = .default) throws -> ApplyReport {
        var delivered = false
        return try apply(changeSets: { () -> Data? in
            defer { delivered = true }
            return delivered ? nil : data
        }, from: label, limits: limits)
    }

    /// Applies a sequence of change sets (a bundle) in one transaction, all or nothing, holding one change set
    /// in memory at a time. `next` returns nil at the end; `progress` is told after each change set.
    public func apply(
        changeSets next: () throws -> Data?, from label: String, limits: ChangeSetFormat.Limits = .default,
        now: Date = Date(), progress: (ApplyReport) -> Void = { _ in }
    ) throws -> ApplyReport {
        var current: Data?
        let totals: ApplyTotals
        do {
            totals = try applyAll(next, from: label, limits: limits, now: now, current: &current, progress: progress)
        } catch ReplicaError.damagedReplica(let reason) {
            // Not the sender's doing: its set is not quarantined.
            logger.error("replica damaged", metadata: ["napsync.peer": "\(label)", "napsync.reason": "\(reason)"])
            throw ReplicaError.damagedReplica(reason: reason)
        } catch let error as ReplicaError {
            if !error.isOrderingProblem, let current {
                quarantine(current, from: label, reason: error.description)
            }
            logger.warning("refused change set", metadata: ["napsync.peer": "\(label)", "napsync.reason": "\(error)"])
            throw error
        }
        let report = ApplyReport(applied: totals.applied, alreadyKnown: totals.known, conflictsOpened: totals.opened, clock: try clock())
        logger.info(
            "applied change sets",
            metadata: [
                "napsync.peer": "\(label)", "napsync.changesets": "\(totals.sets)",
                "napsync.changes.applied": "\(totals.applied)", "napsync.changes.known": "\(totals.known)",
                "napsync.conflicts.opened": "\(totals.opened)",
            ])
        return report
    }

    struct ApplyTotals {
        var applied = 0
        var known = 0
        var sets = 0
        var opened = 0
    }

    private func applyAll(
        _ next: () throws -> Data?, from label: String, limits: ChangeSetFormat.Limits, now: Date, current: inout Data?,
        progress: (ApplyReport) -> Void
    ) throws -> ApplyTotals {
        var current_ = current
        defer { current = current_ }
        return try transaction(freeingElsewhere: true) { transaction -> ApplyTotals in
            var totals = ApplyTotals()
            while let data = try next() {
                current_ = data
                let decoder = try ChangeSetFormat.open(data, sender: label, limits: limits)
                let header = decoder.header
                guard header.datasetID == identity.datasetID else {
                    throw ReplicaError.wrongDataset(sender: label, expected: identity.datasetID, found: header.datasetID)
                }
                let signatures = try checkOrigins(header, from: label, in: &transaction, now: now)
                let chains = try registerOrigins(header, from: label, in: &transaction)
                let batches = DecodedBatches(decoder, chains: chains, indexes: transaction.origins.indexes)
                defer { batches.stop() }
                var application = SetApplication(header: header)
                transaction.beginChangeSet(changeCount: header.changeCount)
                while var batch = try batches.next() {
                    try apply(&batch, within: &application, from: label, in: &transaction)
                    // Handed over, not copied: the last reference must go with it, or the freeing happens here. Held
                    // while the second core decodes the next batches (see `ReleaseQueue.hold`).
                    if batch.changes.count >= DecodedBatches.batchSize, let releases = transaction.releases { releases.hold(consume batch) }
                }
                transaction.releases?.releaseHeld()
                try verifySignatures(signatures, datasetID: header.datasetID, from: label, in: &transaction)
                totals.opened += try transaction.flush()
                totals.applied += application.applied
                totals.known += application.known
                totals.sets += 1
                progress(ApplyReport(applied: totals.applied, alreadyKnown: totals.known, conflictsOpened: totals.opened, clock: transaction.origins.clock))
            }
            return totals
        }.0
    }

    /// Registers every origin that brings changes this replica lacks, after checking it writes for the owner
    /// this replica knows it by, so that its changes can be prepared with its local index ahead of the writer.
    /// Returns each such origin's chain value before its first change in the set, where this replica holds it.
    private func registerOrigins(
        _ header: ChangeSetFormat.Header, from label: String, in transaction: inout ReplicaTransaction
    ) throws -> [NodeID: ChainHash] {
        var chains: [NodeID: ChainHash] = [:]
        for range in header.origins where range.count > 0 {
            let held = transaction.origins.seq(of: range.node)
            guard range.lastSeq > held else { continue }
            if let entry = transaction.origins.entry(for: range.node), entry.owner != range.owner {
                throw ReplicaError.originOwnerChanged(sender: label, origin: range.node, known: entry.owner, claimed: range.owner)
            }
            _ = try transaction.origins.index(of: range.node, owner: range.owner, db: transaction.db)
            // A range that starts past what is held is refused at its first change, as a gap.
            if range.firstSeq <= held + 1 { chains[range.node] = try transaction.chain(at: range.firstSeq - 1, of: range.node) }
        }
        return chains
    }

    /// What the apply of one change set knows as it goes: the owner each origin claims in the header, and the
    /// counts.
    struct SetApplication {
        /// The owner each origin claims, as the header spells it (for the error that refuses a write) and as an
        /// `Owner` (compared for every change; nil for an owner this build does not know, which may write nothing).
        let claimed: [NodeID: (slug: String, owner: Owner?)]
        var applied = 0
        var known = 0

        init(header: ChangeSetFormat.Header) {
            claimed = Dictionary(uniqueKeysWithValues: header.origins.map { ($0.node, ($0.owner, Owner(slug: $0.owner))) })
        }
    }

    private func apply(
        _ batch: inout DecodedBatches.Batch, within application: inout SetApplication, from label: String,
        in transaction: inout ReplicaTransaction
    ) throws {
        // Each change is lent in place, through a buffer the batch alone holds: a change read out of the array
        // is copied (its record key, fields and context retained, then released), about 4% of an apply's time.
        try batch.changes.withUnsafeMutableBufferPointer { changes in
            for position in changes.indices {
                if try isNew(&changes[position], digest: batch.digests[position], within: application, from: label, in: &transaction) {
                    try transaction.record(
                        &changes[position], digest: batch.digests[position], prepared: batch.prepared[position],
                        recordNumber: Int(batch.recordNumbers[position]))
                    application.applied += 1
                } else {
                    application.known += 1
                }
            }
        }
    }

    /// Whether a received change is new here and may be applied; false when it is already held, after checking
    /// it is identical to the held one, byte for byte (by `digest`: a key or a text that is one text to `String` but
    /// other bytes is another change). Throws for a gap, a write the origin's owner has no right to make, or a
    /// causal context not held yet (`registerOrigins` has checked the origin's owner).
    private func isNew(
        _ change: inout Change, digest: ChainHash, within application: SetApplication, from label: String,
        in transaction: inout ReplicaTransaction
    ) throws -> Bool {
        let held = transaction.origins.seq(of: change.origin)
        if change.seq <= held {
            guard let stored = try transaction.storedDigest(change.dot), stored == digest else {
                throw ReplicaError.conflictingReplay(sender: label, change: change.dot)
            }
            return false
        }
        guard change.seq == held + 1 else {
            throw ReplicaError.sequenceGap(sender: label, origin: change.origin, expected: held + 1, found: change.seq)
        }
        let claimed = application.claimed[change.origin]
        guard let owner = claimed?.owner, change.record.owner == owner else {
            throw ReplicaError.forbiddenWrite(sender: label, change: change.dot, originOwner: claimed?.slug ?? "", record: change.record)
        }
        for dependency in change.supersedes where transaction.origins.seq(of: dependency.origin) < dependency.seq {
            throw ReplicaError.missingDependency(sender: label, change: change.dot, dependency: dependency)
        }
        return true
    }
}
