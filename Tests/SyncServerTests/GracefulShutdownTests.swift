import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import SyncCore
import Testing

@testable import SyncServer

/// A transport whose pulls wait at a gate, so a test can shut down while a chunk is in flight.
final class GatedTransport: PeerTransport {
    let inner: InProcessTransport
    private let state = Mutex<(pulls: Int, waiting: CheckedContinuation<Void, Never>?, open: Bool)>((0, nil, false))

    init(inner: InProcessTransport) { self.inner = inner }

    var pulls: Int { state.withLock { $0.pulls } }
    var isWaiting: Bool { state.withLock { $0.waiting != nil } }

    func openGate() {
        let waiting = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.open = true
            defer { state.waiting = nil }
            return state.waiting
        }
        waiting?.resume()
    }

    func hello() async throws -> HelloResponse { try await inner.hello() }

    func pull(_ request: PullRequestBody) async throws -> PulledChunk? {
        let first = state.withLock { state -> Bool in
            state.pulls += 1
            return state.pulls == 1 && !state.open
        }
        if first {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.open { return true }
                    state.waiting = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        return try await inner.pull(request)
    }

    func push(_ changeSet: OutgoingChangeSet) async throws -> ApplyReport { try await inner.push(changeSet) }
}

@Suite("Graceful shutdown")
struct GracefulShutdownTests {
    @Test("shutdown during a session lets the chunk in flight finish, applies it whole, and starts no other")
    func inFlightChunkFinishes() async throws {
        // Given a session pulling 30 changes in chunks of 10, its first pull held at a gate
        let remote = FakeExchange()
        remote.record(30)
        let local = FakeExchange()
        let gated = GatedTransport(inner: InProcessTransport(peer: remote, up: true))
        let logs = LogCapture()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = PeerStateStore(dataDirectory: directory)
        let service = PeerSyncService(
            exchange: local, peers: ["http://peer.test"],
            schedule: .init(
                interval: .seconds(60), backoff: BackoffPolicy(minimum: .seconds(1), maximum: .seconds(10)),
                chunkSize: 10),
            clock: ManualClock(), store: store, logger: logs.logger()
        ) { _ in gated }
        let group = ServiceGroup(
            services: [service], logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))

        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // A watchdog, not a speed check: replica calls share NIO's blocking pool with every test running
            // alongside, and under a loaded CI machine the first one can wait a while.
            _ = try await waitFor("the first pull to be in flight", timeout: .seconds(120), every: .milliseconds(2)) {
                gated.isWaiting ? true : nil
            }
            // When shutdown starts while that chunk is in flight, and the chunk then arrives
            await group.triggerGracefulShutdown()
            try await Task.sleep(for: .milliseconds(20))
            gated.openGate()
            try await tasks.waitForAll()
        }

        // Then that chunk was applied whole, no further chunk was asked for, and the service stopped
        #expect(local.changeCount == 10)
        #expect(gated.pulls == 1)
        let saved = try store.load().first
        #expect(saved?.lastSession?.outcome == .failed)
        #expect(saved?.lastSession?.error == SyncFailure.interrupted.description)
        #expect(saved?.lastSession?.applied == 10)
        // An interrupted session is not a failure of the peer
        #expect(saved?.consecutiveFailures == 0)
    }
}
