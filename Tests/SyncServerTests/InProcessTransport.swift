import Foundation
import Synchronization
import SyncCore
import SyncServer

/// A transport that calls a peer's replica directly, and can play "unreachable": scheduler tests without sockets.
final class InProcessTransport: PeerTransport {
    private let state: Mutex<(up: Bool, hellos: Int, refusePushes: Bool)>
    let peer: FakeExchange

    init(peer: FakeExchange, up: Bool) {
        self.peer = peer
        self.state = Mutex((up, 0, false))
    }

    func setUp(_ up: Bool) { state.withLock { $0.up = up } }
    /// Makes every push fail as a peer refusing the change set would (422).
    func refusePushes(_ refuse: Bool) { state.withLock { $0.refusePushes = refuse } }
    var hellos: Int { state.withLock { $0.hellos } }

    private func check() throws {
        let up = state.withLock { $0.up }
        guard up else { throw SyncFailure.unreachable("connection refused (test)") }
    }

    func hello() async throws -> HelloResponse {
        state.withLock { $0.hellos += 1 }
        try check()
        return HelloResponse(
            node: peer.nodeID, clock: try peer.currentClock(),
            limits: .init(maxBodyBytes: 1 << 20, maxChangesPerChunk: 50))
    }

    func pull(_ request: PullRequestBody) async throws -> PulledChunk? {
        try check()
        return try peer.changeSet(missingFrom: request.clock, maxChanges: request.maxChanges).map {
            PulledChunk(data: $0.data, changeCount: $0.changeCount, hasMore: $0.hasMore)
        }
    }

    func push(_ changeSet: OutgoingChangeSet) async throws -> ApplyReport {
        try check()
        if state.withLock({ $0.refusePushes }) {
            throw SyncFailure.peerError(status: 422, code: "change-set-refused", message: "not admitted (test)")
        }
        return try peer.apply(changeSet: changeSet.data)
    }
}
