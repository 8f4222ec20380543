import Foundation
import SyncCore

/// The steps of one sync session with one peer, as a pure state machine: each method takes what just happened and
/// returns what to do next. ``SyncSessionDriver`` performs the actions (HTTP, replica); tests drive the machine
/// directly, without a network.
///
/// A session greets the peer (`hello`: protocol version, node id, clock), pulls in chunks what the local replica
/// lacks, then pushes in chunks what the peer lacks. Every chunk is applied atomically by its receiver, and the
/// next chunk is computed from the clock the receiver reports after applying, so a session cut anywhere resumes
/// by simply starting a new one.
public struct SyncSessionStateMachine: Sendable {
    public enum Direction: String, Sendable, Codable, CaseIterable {
        case pull, push, both

        var pulls: Bool { self != .push }
        var pushes: Bool { self != .pull }
    }

    /// What the driver must do next.
    public enum Action: Sendable {
        /// `GET /v1/hello` on the peer.
        case requestHello
        /// Ask the peer for at most `maxChanges` changes that a replica holding `localClock` lacks.
        case requestPull(localClock: VectorClock, maxChanges: Int)
        /// Apply a change set received from the peer to the local replica.
        case applyLocally(PulledChunk)
        /// Build, from the local replica, the next change set a peer holding `peerClock` lacks.
        case prepareOutgoing(peerClock: VectorClock, maxChanges: Int)
        /// Send the prepared change set to the peer.
        case send(OutgoingChangeSet)
        /// The session is over and succeeded.
        case finish(SyncSummary)
        /// The session is over and failed; whatever chunks were applied stay applied.
        case fail(SyncSummary, SyncFailure)
    }

    enum State: Sendable {
        case idle
        case greeting
        case pulling(localClock: VectorClock)
        case applying(localClock: VectorClock, hasMore: Bool, changeCount: Int)
        case preparing(peerClock: VectorClock)
        case sending(peerClock: VectorClock, outgoing: OutgoingChangeSet)
        case done
    }

    private(set) var state: State = .idle
    private var summary: SyncSummary
    private let localNode: NodeID
    private let direction: Direction
    private var maxChanges: Int
    private var peerClockAtHello = VectorClock()

    public init(peer: String, localNode: NodeID, direction: Direction = .both, maxChanges: Int) {
        precondition(maxChanges > 0, "a chunk holds at least one change")
        self.localNode = localNode
        self.direction = direction
        self.maxChanges = maxChanges
        self.summary = SyncSummary(peer: peer, direction: direction)
    }

    /// The counts so far (also carried by `.finish` and `.fail`).
    public var currentSummary: SyncSummary { summary }

    public mutating func start() -> Action {
        guard case .idle = state else { preconditionFailure("start() called twice") }
        state = .greeting
        return .requestHello
    }

    public mutating func helloReceived(_ hello: HelloResponse, localClock: VectorClock) -> Action {
        guard case .greeting = state else { return violation("hello outside greeting") }
        summary.peerNode = hello.node
        guard hello.protocolVersion == ProtocolV1.version else {
            return fail(.incompatibleProtocol(peerVersions: hello.supportedVersions))
        }
        guard hello.node != localNode else { return fail(.selfPeer) }
        peerClockAtHello = hello.clock
        summary.localClock = localClock
        summary.peerClock = hello.clock
        summary.lagBefore = Lag(local: localClock, peer: hello.clock)
        // Never send or ask for more than the peer accepts.
        maxChanges = max(1, min(maxChanges, hello.limits.maxChangesPerChunk))
        if direction.pulls, !localClock.dominates(hello.clock) {
            state = .pulling(localClock: localClock)
            return .requestPull(localClock: localClock, maxChanges: maxChanges)
        }
        return startPushing()
    }

    /// The peer answered a pull: `nil` when it has nothing the local replica lacks.
    public mutating func pullReceived(_ chunk: PulledChunk?) -> Action {
        guard case .pulling(let localClock) = state else { return violation("pull response outside pulling") }
        guard let chunk else { return startPushing() }
        summary.chunksIn += 1
        summary.bytesIn += chunk.data.count
        state = .applying(localClock: localClock, hasMore: chunk.hasMore, changeCount: chunk.changeCount)
        return .applyLocally(chunk)
    }

    public mutating func appliedLocally(_ report: ApplyReport) -> Action {
        guard case .applying(let before, let hasMore, _) = state else { return violation("apply outside applying") }
        summary.applied += report.applied
        summary.alreadyKnown += report.alreadyKnown
        summary.conflictsOpened += report.conflictsOpened
        summary.localClock = report.clock
        guard hasMore, !report.clock.dominates(peerClockAtHello) else { return startPushing() }
        // A peer that keeps saying "more" while nothing new arrives would loop forever.
        guard report.clock != before, !before.dominates(report.clock) else { return fail(.noProgress(phase: "pull")) }
        state = .pulling(localClock: report.clock)
        return .requestPull(localClock: report.clock, maxChanges: maxChanges)
    }

    /// The local replica built the next outgoing chunk: `nil` when the peer lacks nothing.
    public mutating func outgoingPrepared(_ outgoing: OutgoingChangeSet?) -> Action {
        guard case .preparing(let peerClock) = state else { return violation("outgoing outside preparing") }
        guard let outgoing, outgoing.changeCount > 0 else { return finish() }
        state = .sending(peerClock: peerClock, outgoing: outgoing)
        return .send(outgoing)
    }

    /// The peer applied the chunk sent and answered with its report.
    public mutating func sendAcknowledged(_ report: ApplyReport) -> Action {
        guard case .sending(let before, let outgoing) = state else { return violation("ack outside sending") }
        summary.chunksOut += 1
        summary.bytesOut += outgoing.data.count
        summary.pushed += outgoing.changeCount
        // The peer's own counts, kept for the summary: saturating, as a peer may answer anything.
        summary.peerApplied = Self.adding(summary.peerApplied, report.applied)
        summary.peerConflictsOpened = Self.adding(summary.peerConflictsOpened, report.conflictsOpened)
        summary.peerClock = report.clock
        guard outgoing.hasMore else { return finish() }
        guard !before.dominates(report.clock) else { return fail(.noProgress(phase: "push")) }
        state = .preparing(peerClock: report.clock)
        return .prepareOutgoing(peerClock: report.clock, maxChanges: maxChanges)
    }

    /// The peer refused the chunk sent (it failed to verify or apply): nothing of it was applied.
    public mutating func sendRefused(_ failure: SyncFailure) -> Action {
        if case .sending(_, let outgoing) = state { summary.refused += outgoing.changeCount }
        return fail(failure)
    }

    /// A step failed: network, peer error, local replica error. A chunk that failed to apply locally counts as
    /// refused: nothing of it was applied.
    public mutating func failed(_ failure: SyncFailure) -> Action {
        if case .applying(_, _, let changeCount) = state, case .localApplyFailed = failure {
            summary.refused += changeCount
        }
        return fail(failure)
    }

    /// Graceful shutdown: stop between chunks; what was applied stays applied, the rest waits for the next session.
    public mutating func interrupt() -> Action {
        fail(.interrupted)
    }

    // MARK: Helpers

    private mutating func startPushing() -> Action {
        let peerClock = peerClockAtHello
        guard direction.pushes, !peerClock.dominates(summary.localClock ?? VectorClock()) else { return finish() }
        state = .preparing(peerClock: peerClock)
        return .prepareOutgoing(peerClock: peerClock, maxChanges: maxChanges)
    }

    private mutating func finish() -> Action {
        state = .done
        summary.outcome = .completed
        summary.lagAfter = Lag(local: summary.localClock ?? VectorClock(), peer: summary.peerClock ?? VectorClock())
        return .finish(summary)
    }

    private mutating func fail(_ failure: SyncFailure) -> Action {
        state = .done
        summary.outcome = .failed
        summary.error = failure.description
        if let local = summary.localClock, let peer = summary.peerClock {
            summary.lagAfter = Lag(local: local, peer: peer)
        }
        return .fail(summary, failure)
    }

    private mutating func violation(_ what: String) -> Action {
        fail(.protocolViolation("internal: \(what)"))
    }

    /// `total + count`, a count the peer reported: below zero taken as zero, and saturating.
    static func adding(_ total: Int, _ count: Int) -> Int {
        total.addingSaturating(max(0, count))
    }
}

/// A change set received from a peer in answer to a pull.
public struct PulledChunk: Sendable, Equatable {
    public var data: Data
    public var changeCount: Int
    public var hasMore: Bool

    public init(data: Data, changeCount: Int, hasMore: Bool) {
        self.data = data
        self.changeCount = changeCount
        self.hasMore = hasMore
    }
}

/// How far apart two replicas are, in changes.
public struct Lag: Sendable, Codable, Hashable {
    /// Changes the peer holds that the local replica lacks.
    public var inbound: UInt64
    /// Changes the local replica holds that the peer lacks.
    public var outbound: UInt64

    public init(inbound: UInt64, outbound: UInt64) {
        self.inbound = inbound
        self.outbound = outbound
    }

    public init(local: VectorClock, peer: VectorClock) {
        self.init(inbound: local.changesMissing(from: peer), outbound: peer.changesMissing(from: local))
    }

    public var total: UInt64 { inbound + outbound }
}

extension VectorClock {
    /// How many of the changes `other` names this clock lacks.
    public func changesMissing(from other: VectorClock) -> UInt64 {
        other.entries.reduce(0) { sum, entry in
            let mine = self[entry.key]
            // Saturating: a peer's clock may name sequence numbers near the largest.
            return sum.addingSaturating(entry.value > mine ? entry.value - mine : 0)
        }
    }
}
