import Foundation

/// What a sync session needs from a replica: its clock, the changes a peer lacks, and applying what a peer sent.
///
/// The daemon and the bundle commands speak only through this, so a session can be tested against an
/// in-memory fake without SQLite or a network.
public protocol ChangeSetExchange: Sendable {
    /// The node this replica belongs to.
    var nodeID: NodeID { get }

    /// The replica's vector clock: what it holds.
    func currentClock() throws -> VectorClock

    /// Encodes at most `maxChanges` of the changes that a peer holding `peerClock` lacks, oldest first, in an
    /// order the peer can apply, compressed as `compression` says. Returns nil when the peer lacks nothing. Call
    /// again with the returned `peerClockAfter` to get the next chunk.
    func changeSet(missingFrom peerClock: VectorClock, maxChanges: Int, compression: ChangeSetCompression) throws
        -> OutgoingChangeSet?

    /// Verifies, decodes and applies an encoded change set atomically: all of it or nothing.
    func apply(changeSet data: Data) throws -> ApplyReport
}

/// An encoded change set ready to send.
public struct OutgoingChangeSet: Sendable {
    /// The bytes, in the format `protocol.md` describes.
    public var data: Data
    public var changeCount: Int
    /// The peer's clock once it has applied this change set.
    public var peerClockAfter: VectorClock
    /// Whether the peer lacks more after this one.
    public var hasMore: Bool

    public init(data: Data, changeCount: Int, peerClockAfter: VectorClock, hasMore: Bool) {
        self.data = data
        self.changeCount = changeCount
        self.peerClockAfter = peerClockAfter
        self.hasMore = hasMore
    }
}

/// What applying a change set did.
public struct ApplyReport: Sendable, Hashable, Codable {
    /// Changes that were new and are now applied.
    public var applied: Int
    /// Changes the replica already held (a duplicate or replayed delivery).
    public var alreadyKnown: Int
    /// Conflicts this change set opened.
    public var conflictsOpened: Int
    /// The replica's clock afterwards.
    public var clock: VectorClock

    public init(applied: Int, alreadyKnown: Int, conflictsOpened: Int, clock: VectorClock) {
        self.applied = applied
        self.alreadyKnown = alreadyKnown
        self.conflictsOpened = conflictsOpened
        self.clock = clock
    }
}

extension ChangeSetExchange {
    /// A chunk for a sync session: compressed for speed (see ``ChangeSetCompression/fast``).
    public func changeSet(missingFrom peerClock: VectorClock, maxChanges: Int) throws -> OutgoingChangeSet? {
        try changeSet(missingFrom: peerClock, maxChanges: maxChanges, compression: .fast)
    }
}

/// How hard a change set's payload is compressed. Any level decodes the same way; only size and time differ.
public enum ChangeSetCompression: Sendable {
    /// zlib level 1, for sync sessions: a coordinator serving ten departments spends more on compressing than
    /// the bytes saved are worth on a network (the set is about an eighth larger than at level 6).
    case fast
    /// zlib level 6, for bundles carried by hand, where the file's size matters more than the time to write it.
    case compact

    public var zlibLevel: Int32 {
        switch self {
        case .fast: 1
        case .compact: 6
        }
    }
}
