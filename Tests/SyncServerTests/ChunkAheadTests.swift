import Dispatch
import Foundation
import Logging
import NAPModel
import Synchronization
import SyncCore
import SyncServer
import TestSupport
import Testing

/// A session works one chunk ahead (`SyncSessionDriver`): it asks for the next pulled chunk while it applies the
/// current one, and builds the next pushed chunk while the peer applies the current one; it uses what it obtained
/// ahead only if the clock it then needs covers the one it predicted.
@Suite struct ChunkAheadTests {
    /// How long a gated step waits for the step that should overlap it. It only bounds a failure: the other
    /// step runs in a task of its own, which other suites running in parallel can keep off the processor for
    /// seconds (CLI and daemon tests wait for child processes), so a short bound made these tests flaky.
    static let patience: DispatchTimeInterval = .seconds(60)

    /// Serves a replica's changes in process and records every pull; signals `secondPull` when the second arrives.
    final class RecordingTransport: PeerTransport {
        let peer: Replica
        let pulls = Mutex<[PullRequestBody]>([])
        let secondPull = DispatchSemaphore(value: 0)

        init(peer: Replica, gatePushes: Bool = false) {
            self.peer = peer
            self.nextChunkBuilt = gatePushes ? DispatchSemaphore(value: 0) : nil
        }

        func hello() async throws -> HelloResponse {
            HelloResponse(node: peer.nodeID, clock: try peer.currentClock(), limits: .init(maxBodyBytes: 1 << 20, maxChangesPerChunk: 50))
        }

        func pull(_ request: PullRequestBody) async throws -> PulledChunk? {
            let count = pulls.withLock { pulls in
                pulls.append(request)
                return pulls.count
            }
            if count == 2 { secondPull.signal() }
            return try peer.changeSet(missingFrom: request.clock, maxChanges: request.maxChanges).map {
                PulledChunk(data: $0.data, changeCount: $0.changeCount, hasMore: $0.hasMore)
            }
        }

        /// For a push test: the first push waits until the local replica is asked for the next chunk.
        let nextChunkBuilt: DispatchSemaphore?
        let pushOverlapped = Mutex(false)
        let pushes = Mutex(0)

        func push(_ changeSet: OutgoingChangeSet) async throws -> ApplyReport {
            let first = pushes.withLock { count in
                count += 1
                return count == 1
            }
            if first, let nextChunkBuilt {
                pushOverlapped.withLock { $0 = nextChunkBuilt.wait(timeout: .now() + ChunkAheadTests.patience) == .success }
            }
            return try peer.apply(changeSet: changeSet.data, from: "test")
        }
    }

    /// What the local replica does on its first apply, after waiting until the transport has been asked for the
    /// second chunk (bounded, so that a driver that never asks ahead fails the test instead of hanging it).
    enum FirstApply {
        case apply
        case writeLocallyThenApply(RecordKey)
        case fail
    }

    struct Broken: Error {}

    /// The local replica, instrumented: its first apply waits for the second pull; its second `changeSet` call
    /// (the next pushed chunk) is signalled to the transport.
    final class GatedReplica: ChangeSetExchange {
        let inner: Replica
        let transport: RecordingTransport
        let firstApply: FirstApply
        let applies = Mutex(0)
        let changeSetCalls = Mutex(0)
        let overlapped = Mutex(false)

        init(_ inner: Replica, transport: RecordingTransport, firstApply: FirstApply = .apply) {
            self.inner = inner
            self.transport = transport
            self.firstApply = firstApply
        }

        var nodeID: NodeID { inner.nodeID }
        func currentClock() throws -> VectorClock { try inner.currentClock() }
        func changeSet(missingFrom peerClock: VectorClock, maxChanges: Int, compression: ChangeSetCompression) throws
            -> OutgoingChangeSet?
        {
            let call = changeSetCalls.withLock { count in
                count += 1
                return count
            }
            defer { if call == 2 { transport.nextChunkBuilt?.signal() } }
            return try inner.changeSet(missingFrom: peerClock, maxChanges: maxChanges, compression: compression)
        }

        func apply(changeSet data: Data) throws -> ApplyReport {
            let first = applies.withLock { count in
                count += 1
                return count == 1
            }
            if first {
                overlapped.withLock { $0 = transport.secondPull.wait(timeout: .now() + ChunkAheadTests.patience) == .success }
                switch firstApply {
                case .apply: break
                case .writeLocallyThenApply(let key): try inner.set(key, fields: ["status": .text("ongoing")])
                case .fail: throw Broken()
                }
            }
            return try inner.apply(changeSet: data, from: "test")
        }
    }

    static func session(
        _ direction: SyncSessionStateMachine.Direction, _ local: GatedReplica, via transport: RecordingTransport
    ) async -> (SyncSummary, SyncFailure?) {
        await SyncSessionDriver(
            exchange: local, transport: transport, peer: "remote", direction: direction, maxChanges: 10,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ).run()
    }

    static func defenceNode(_ fixture: ReplicaFixture, name: String, changes count: Int) throws -> Replica {
        let node = try fixture.make(.defence, name: name)
        for year in 0..<count { try node.set(.entry(.defence, year: 2013 + year % 4, line: "\(1 + year / 4).a"), fields: ["n": .int(Int64(year))]) }
        return node
    }

    @Test func theNextChunkIsAskedForWhileTheCurrentOneApplies() async throws {
        let fixture = try ReplicaFixture()
        let remote = try Self.defenceNode(fixture, name: "remote", changes: 25)
        let transport = RecordingTransport(peer: remote)
        let local = GatedReplica(try fixture.make(.justice, name: "local"), transport: transport)

        let (summary, failure) = await Self.session(.pull, local, via: transport)

        #expect(failure == nil)
        #expect(local.overlapped.withLock { $0 }, "the second chunk was not asked for before the first was applied")
        #expect(summary.chunksIn == 3 && summary.applied == 25)
        // Each chunk asked for once: every answer obtained ahead was used.
        let pulls = transport.pulls.withLock { $0 }
        #expect(pulls.map { $0.clock[remote.nodeID] } == [0, 10, 20])
        #expect(try local.currentClock() == (try remote.currentClock()))
    }

    /// A local write during the apply makes the clock cover more than predicted: the chunk obtained ahead still
    /// holds only changes the replica lacks, and is used.
    @Test func aLocalWriteDuringTheApplyKeepsTheChunkAskedForAhead() async throws {
        let fixture = try ReplicaFixture()
        let remote = try Self.defenceNode(fixture, name: "remote", changes: 25)
        let transport = RecordingTransport(peer: remote)
        let localReplica = try fixture.make(.justice, name: "local")
        let local = GatedReplica(localReplica, transport: transport, firstApply: .writeLocallyThenApply(.entry(.justice, year: 2014, line: "4.a")))

        let (summary, failure) = await Self.session(.pull, local, via: transport)

        #expect(failure == nil)
        #expect(summary.applied == 25 && summary.alreadyKnown == 0)
        let pulls = transport.pulls.withLock { $0 }
        #expect(pulls.count == 3)
        #expect(pulls[1].clock[remote.nodeID] == 10 && pulls[1].clock[localReplica.nodeID] == 0)
        #expect(try localReplica.currentClock()[remote.nodeID] == 25 && (try localReplica.currentClock()[localReplica.nodeID]) == 1)
    }

    /// A chunk that fails to apply ends the session; the one asked for ahead is dropped unapplied.
    @Test func aFailedApplyDropsTheChunkAskedForAhead() async throws {
        let fixture = try ReplicaFixture()
        let remote = try Self.defenceNode(fixture, name: "remote", changes: 25)
        let transport = RecordingTransport(peer: remote)
        let localReplica = try fixture.make(.justice, name: "local")
        let local = GatedReplica(localReplica, transport: transport, firstApply: .fail)

        let (summary, failure) = await Self.session(.pull, local, via: transport)

        #expect(failure != nil)
        #expect(summary.applied == 0 && summary.refused == 10)
        #expect(transport.pulls.withLock { $0.count } == 2)
        #expect(try localReplica.currentClock()[remote.nodeID] == 0)
    }

    @Test func theNextChunkIsBuiltWhileThePeerAppliesTheCurrentOne() async throws {
        let fixture = try ReplicaFixture()
        let remote = try fixture.make(.justice, name: "remote")
        let transport = RecordingTransport(peer: remote, gatePushes: true)
        let localReplica = try Self.defenceNode(fixture, name: "local", changes: 25)
        let local = GatedReplica(localReplica, transport: transport)

        let (summary, failure) = await Self.session(.push, local, via: transport)

        #expect(failure == nil)
        #expect(transport.pushOverlapped.withLock { $0 }, "the second chunk was not built before the first was applied")
        #expect(summary.chunksOut == 3 && summary.peerApplied == 25)
        // Each chunk built once: every chunk built ahead was sent.
        #expect(local.changeSetCalls.withLock { $0 } == 3)
        #expect(try remote.currentClock() == (try localReplica.currentClock()))
    }
}
