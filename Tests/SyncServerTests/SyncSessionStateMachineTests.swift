import Foundation
import SyncCore
import Testing

@testable import SyncServer

@Suite("Sync session state machine, without a network")
struct SyncSessionStateMachineTests {
    let local = NodeID.random()
    let remote = NodeID.random()

    func hello(clock: VectorClock, maxChunk: Int = 100, version: Int = 1) -> HelloResponse {
        HelloResponse(
            protocolVersion: version, supportedVersions: [version], node: remote, clock: clock,
            limits: .init(maxBodyBytes: 1 << 20, maxChangesPerChunk: maxChunk))
    }

    @Test("pulls in chunks, then pushes, then finishes with the counts")
    func pullThenPush() throws {
        // Given a peer holding 5 changes we lack, and 3 of ours it lacks
        var machine = SyncSessionStateMachine(peer: "http://peer", localNode: local, maxChanges: 10)
        guard case .requestHello = machine.start() else { Issue.record("expected hello"); return }
        let localClock = VectorClock([local: 3])
        let peerClock = VectorClock([remote: 5])

        // When the peer greets us with a chunk limit of 2
        var action = machine.helloReceived(hello(clock: peerClock, maxChunk: 2), localClock: localClock)

        // Then we pull with at most 2 changes per chunk until the peer has no more
        guard case .requestPull(let clock, let max) = action else {
            Issue.record("expected pull, got \(action)"); return
        }
        #expect(clock == localClock)
        #expect(max == 2)
        action = machine.pullReceived(PulledChunk(data: Data([1, 2]), changeCount: 2, hasMore: true))
        guard case .applyLocally = action else { Issue.record("expected apply"); return }
        action = machine.appliedLocally(
            ApplyReport(applied: 2, alreadyKnown: 0, conflictsOpened: 0, clock: VectorClock([local: 3, remote: 2])))
        guard case .requestPull(let clock2, _) = action else { Issue.record("expected second pull"); return }
        #expect(clock2 == VectorClock([local: 3, remote: 2]))
        action = machine.pullReceived(PulledChunk(data: Data([3]), changeCount: 3, hasMore: false))
        action = machine.appliedLocally(
            ApplyReport(applied: 3, alreadyKnown: 0, conflictsOpened: 1, clock: VectorClock([local: 3, remote: 5])))

        // Then we push what the peer lacks, computed from the clock it announced
        guard case .prepareOutgoing(let target, 2) = action else {
            Issue.record("expected push, got \(action)"); return
        }
        #expect(target == peerClock)
        let outgoing = OutgoingChangeSet(
            data: Data([9, 9, 9]), changeCount: 2, peerClockAfter: VectorClock([remote: 5, local: 2]), hasMore: true)
        guard case .send = machine.outgoingPrepared(outgoing) else { Issue.record("expected send"); return }
        action = machine.sendAcknowledged(
            ApplyReport(applied: 2, alreadyKnown: 0, conflictsOpened: 0, clock: VectorClock([remote: 5, local: 2])))
        guard case .prepareOutgoing(let target2, _) = action else { Issue.record("expected next push"); return }
        #expect(target2 == VectorClock([remote: 5, local: 2]))
        let last = OutgoingChangeSet(
            data: Data([7]), changeCount: 1, peerClockAfter: VectorClock([remote: 5, local: 3]), hasMore: false)
        _ = machine.outgoingPrepared(last)
        action = machine.sendAcknowledged(
            ApplyReport(applied: 1, alreadyKnown: 0, conflictsOpened: 0, clock: VectorClock([remote: 5, local: 3])))

        guard case .finish(let summary) = action else { Issue.record("expected finish, got \(action)"); return }
        #expect(summary.outcome == .completed)
        #expect(summary.applied == 5)
        #expect(summary.conflictsOpened == 1)
        #expect(summary.pushed == 3)
        #expect(summary.chunksIn == 2)
        #expect(summary.chunksOut == 2)
        #expect(summary.bytesIn == 3)
        #expect(summary.bytesOut == 4)
        #expect(summary.lagBefore == Lag(inbound: 5, outbound: 3))
        #expect(summary.lagAfter == Lag(inbound: 0, outbound: 0))
        #expect(summary.peerNode == remote)
    }

    @Test("nothing to exchange finishes right after hello")
    func inSync() {
        var machine = SyncSessionStateMachine(peer: "p", localNode: local, maxChanges: 10)
        _ = machine.start()
        let clock = VectorClock([local: 4, remote: 2])
        guard case .finish(let summary) = machine.helloReceived(hello(clock: clock), localClock: clock) else {
            Issue.record("expected finish"); return
        }
        #expect(summary.lagBefore == Lag(inbound: 0, outbound: 0))
    }

    @Test("pull-only sessions never push", arguments: [SyncSessionStateMachine.Direction.pull])
    func pullOnly(direction: SyncSessionStateMachine.Direction) {
        var machine = SyncSessionStateMachine(peer: "p", localNode: local, direction: direction, maxChanges: 10)
        _ = machine.start()
        guard case .finish = machine.helloReceived(hello(clock: VectorClock()), localClock: VectorClock([local: 9]))
        else {
            Issue.record("expected finish"); return
        }
    }

    @Test("a peer of another protocol version is refused")
    func incompatibleVersion() {
        var machine = SyncSessionStateMachine(peer: "p", localNode: local, maxChanges: 10)
        _ = machine.start()
        guard
            case .fail(let summary, .incompatibleProtocol(let versions)) = machine.helloReceived(
                hello(clock: VectorClock(), version: 2), localClock: VectorClock())
        else { Issue.record("expected refusal"); return }
        #expect(versions == [2])
        #expect(summary.outcome == .failed)
    }

    @Test("a peer URL that points at this node is refused")
    func selfPeer() {
        var machine = SyncSessionStateMachine(peer: "p", localNode: remote, maxChanges: 10)
        _ = machine.start()
        guard case .fail(_, .selfPeer) = machine.helloReceived(hello(clock: VectorClock()), localClock: VectorClock())
        else {
            Issue.record("expected refusal"); return
        }
    }

    @Test("a peer announcing more while nothing arrives is stopped")
    func noProgress() {
        var machine = SyncSessionStateMachine(peer: "p", localNode: local, maxChanges: 10)
        _ = machine.start()
        _ = machine.helloReceived(hello(clock: VectorClock([remote: 5])), localClock: VectorClock())
        _ = machine.pullReceived(PulledChunk(data: Data(), changeCount: 1, hasMore: true))
        let action = machine.appliedLocally(
            ApplyReport(applied: 0, alreadyKnown: 1, conflictsOpened: 0, clock: VectorClock()))
        guard case .fail(_, .noProgress) = action else {
            Issue.record("expected no-progress failure, got \(action)"); return
        }
    }

    @Test("a refused chunk counts its changes as refused and ends the session")
    func refusedPush() {
        var machine = SyncSessionStateMachine(peer: "p", localNode: local, maxChanges: 10)
        _ = machine.start()
        _ = machine.helloReceived(hello(clock: VectorClock()), localClock: VectorClock([local: 4]))
        _ = machine.outgoingPrepared(
            OutgoingChangeSet(data: Data([1]), changeCount: 4, peerClockAfter: VectorClock([local: 4]), hasMore: false))
        guard
            case .fail(let summary, .peerError) = machine.sendRefused(
                .peerError(status: 422, code: "change-set-refused", message: "gap"))
        else {
            Issue.record("expected failure"); return
        }
        #expect(summary.refused == 4)
        #expect(summary.pushed == 0)
    }

    @Test("interrupting between chunks keeps what was applied")
    func interrupt() {
        var machine = SyncSessionStateMachine(peer: "p", localNode: local, maxChanges: 1)
        _ = machine.start()
        _ = machine.helloReceived(hello(clock: VectorClock([remote: 2])), localClock: VectorClock())
        _ = machine.pullReceived(PulledChunk(data: Data([1]), changeCount: 1, hasMore: true))
        _ = machine.appliedLocally(
            ApplyReport(applied: 1, alreadyKnown: 0, conflictsOpened: 0, clock: VectorClock([remote: 1])))
        guard case .fail(let summary, .interrupted) = machine.interrupt() else {
            Issue.record("expected interrupted"); return
        }
        #expect(summary.applied == 1)
        #expect(summary.lagAfter == Lag(inbound: 1, outbound: 0))
    }

    @Test("a peer's counts and clocks, however large or negative, never overflow the summary")
    func peerCountsSaturate() {
        // A clock naming sequence numbers near the largest: what is missing saturates instead of overflowing
        let huge = VectorClock([local: .max, remote: .max])
        #expect(VectorClock().changesMissing(from: huge) == .max)
        #expect(VectorClock([remote: 1]).changesMissing(from: VectorClock([remote: 3, local: 2])) == 4)
        // Counts a peer reports are added saturating, and one below zero counts as none
        #expect(SyncSessionStateMachine.adding(.max, .max) == .max)
        #expect(SyncSessionStateMachine.adding(5, -3) == 5)
        #expect(SyncSessionStateMachine.adding(5, 3) == 8)
    }
}
