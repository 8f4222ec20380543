import Dispatch
import Foundation
import Logging
import NAPModel
import Synchronization
import SyncCore
import SyncServer
import TestSupport
import Testing

/// A session asks for the next pulled chunk while it applies the current one (`SyncSessionDriver`), and uses the
/// answer only if the replica's clock after the apply is the one it asked for.
@Suite struct PullPrefetchTests {
    /// Serves a replica's changes in process and records every pull; `onPull` runs as each one arrives.
    final class RecordingTransport: PeerTransport {
        let peer: Replica
        let pulls = Mutex<[PullRequestBody]>([])
        let secondPull = DispatchSemaphore(value: 0)

        init(peer: Replica) { self.peer = peer }

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

        func push(_ changeSet: OutgoingChangeSet) async throws -> ApplyReport { try peer.apply(changeSet: changeSet.data) }
    }

    /// The local replica, whose first apply waits until the transport has been asked for the second chunk, and may
    /// record a change of its own meanwhile.
    final class GatedReplica: ChangeSetExchange {
        let inner: Replica
        let transport: RecordingTransport
        let writeDuringFirstApply: RecordKey?
        let applies = Mutex(0)
        let overlapped = Mutex(false)

        init(_ inner: Replica, transport: RecordingTransport, writeDuringFirstApply: RecordKey? = nil) {
            self.inner = inner
            self.transport = transport
            self.writeDuringFirstApply = writeDuringFirstApply
        }

        var nodeID: NodeID { inner.nodeID }
        func currentClock() throws -> VectorClock { try inner.currentClock() }
        func changeSet(missingFrom peerClock: VectorClock, maxChanges: Int, compression: ChangeSetCompression) throws
            -> OutgoingChangeSet?
        {
            try inner.changeSet(missingFrom: peerClock, maxChanges: maxChanges, compression: compression)
        }

        func apply(changeSet data: Data) throws -> ApplyReport {
            let first = applies.withLock { count in
                count += 1
                return count == 1
            }
            if first {
                // Bounded, so that a driver that never asks ahead fails the test instead of hanging it.
                overlapped.withLock { $0 = transport.secondPull.wait(timeout: .now() + 10) == .success }
                if let key = writeDuringFirstApply { try inner.set(key, fields: ["status": .text("ongoing")]) }
            }
            return try inner.apply(changeSet: data, from: "test")
        }
    }

    static func pull(into local: GatedReplica, via transport: RecordingTransport) async -> (SyncSummary, SyncFailure?) {
        await SyncSessionDriver(
            exchange: local, transport: transport, peer: "remote", direction: .pull, maxChanges: 10,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        ).run()
    }

    static func remoteWithChanges(_ fixture: ReplicaFixture, count: Int) throws -> Replica {
        let remote = try fixture.make(.defence, name: "remote")
        for year in 0..<count { try remote.set(.entry(.defence, year: 2013 + year % 4, line: "\(1 + year / 4).a"), fields: ["n": .int(Int64(year))]) }
        return remote
    }

    @Test func theNextChunkIsAskedForWhileTheCurrentOneApplies() async throws {
        let fixture = try ReplicaFixture()
        let remote = try Self.remoteWithChanges(fixture, count: 25)
        let transport = RecordingTransport(peer: remote)
        let local = GatedReplica(try fixture.make(.justice, name: "local"), transport: transport)

        let (summary, failure) = await Self.pull(into: local, via: transport)

        #expect(failure == nil)
        #expect(local.overlapped.withLock { $0 }, "the second chunk was not asked for before the first was applied")
        #expect(summary.chunksIn == 3 && summary.applied == 25)
        // Each chunk asked for once: every answer obtained ahead was used.
        let pulls = transport.pulls.withLock { $0 }
        #expect(pulls.map { $0.clock[remote.nodeID] } == [0, 10, 20])
        #expect(try local.currentClock() == (try remote.currentClock()))
    }

    @Test func aLocalWriteDuringTheApplyDropsTheChunkAskedForAhead() async throws {
        let fixture = try ReplicaFixture()
        let remote = try Self.remoteWithChanges(fixture, count: 25)
        let transport = RecordingTransport(peer: remote)
        let localReplica = try fixture.make(.justice, name: "local")
        let local = GatedReplica(localReplica, transport: transport, writeDuringFirstApply: .entry(.justice, year: 2014, line: "4.a"))

        let (summary, failure) = await Self.pull(into: local, via: transport)

        #expect(failure == nil)
        #expect(summary.applied == 25)
        // The chunk asked for ahead named a clock without the local write: it was asked again with it.
        let pulls = transport.pulls.withLock { $0 }
        #expect(pulls.count == 4)
        #expect(pulls[1].clock[remote.nodeID] == 10 && pulls[1].clock[localReplica.nodeID] == 0)
        #expect(pulls[2].clock[remote.nodeID] == 10 && pulls[2].clock[localReplica.nodeID] == 1)
        #expect(try localReplica.currentClock()[remote.nodeID] == 25)
    }
}
