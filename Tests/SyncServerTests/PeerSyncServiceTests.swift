import Foundation
import Logging
import ServiceLifecycle
import SyncCore
import Testing

@testable import SyncServer

@Suite("Peer sync schedule, driven by a manual clock")
struct PeerSyncServiceTests {
    typealias Service = PeerSyncService<ManualClock>

    func makeService(
        local: FakeExchange, transport: InProcessTransport, clock: ManualClock, jitter: Double, logs: LogCapture,
        store: PeerStateStore? = nil
    ) -> Service {
        Service(
            exchange: local, peers: ["http://peer.test:7325"],
            schedule: .init(
                interval: .seconds(60), backoff: BackoffPolicy(minimum: .seconds(1), maximum: .seconds(10)),
                chunkSize: 20),
            clock: clock, store: store, jitter: { jitter }, logger: logs.logger()
        ) { _ in transport }
    }

    /// Runs the service in a group until `body` returns, then shuts it down gracefully.
    func running(_ service: Service, _ body: () async throws -> Void) async throws {
        let group = ServiceGroup(
            services: [service], logger: Logger(label: "t", factory: { _ in SwiftLogNoOpLogHandler() }))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            try await body()
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test(
        "an unreachable peer is retried at 1, 2, 4, 8, then 10 s (the cap); only the change is logged",
        arguments: [1.0, 0.0])
    func backoffSchedule(jitter: Double) async throws {
        // Given a peer that is down
        let clock = ManualClock()
        let logs = LogCapture()
        let remote = FakeExchange()
        remote.record(4)
        let local = FakeExchange()
        let transport = InProcessTransport(peer: remote, up: false)
        let service = makeService(local: local, transport: transport, clock: clock, jitter: jitter, logs: logs)

        try await running(service) {
            // When time passes, the service retries after exponentially growing, capped waits;
            // jitter picks between half and all of each ceiling.
            var gaps: [Duration] = []
            var last = clock.now
            for _ in 0..<6 {
                let deadline = try await clock.nextSleep()
                gaps.append(last.duration(to: deadline))
                last = deadline
                clock.advance(to: deadline)
            }
            let ceilings: [Duration] = [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)]
            #expect(gaps == ceilings.map { $0 * (0.5 + 0.5 * jitter) })
            #expect(transport.hellos >= 6)

            // Then the log says "unreachable" once, not once per attempt
            #expect(logs.count(containing: "napsync: peer unreachable ") == 1)
            #expect(logs.count(containing: "napsync: peer still unreachable ") >= 5)
            let state = await service.statuses().first
            #expect(state?.reachability == .unreachable)
            #expect((state?.consecutiveFailures ?? 0) >= 6)

            // When the peer comes back, the next attempt syncs, logs the recovery once, and the wait is the interval
            transport.setUp(true)
            let retry = try await clock.nextSleep()
            clock.advance(to: retry)
            let afterRecovery = try await waitForSleep(after: retry, on: clock)
            #expect(retry.duration(to: afterRecovery) == .seconds(60))
            #expect(logs.count(containing: "peer reachable again") == 1)
            #expect(local.digest == remote.digest)
            let recovered = await service.statuses().first
            #expect(recovered?.reachability == .reachable)
            #expect(recovered?.consecutiveFailures == 0)
            #expect(recovered?.lag == Lag(inbound: 0, outbound: 0))
        }
    }

    @Test("a reachable peer is synced every interval; new local changes go out on the next round")
    func interval() async throws {
        let clock = ManualClock()
        let logs = LogCapture()
        let remote = FakeExchange()
        let local = FakeExchange()
        local.record(3)
        let transport = InProcessTransport(peer: remote, up: true)
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = PeerStateStore(dataDirectory: directory)
        let service = makeService(local: local, transport: transport, clock: clock, jitter: 1, logs: logs, store: store)

        try await running(service) {
            let first = try await clock.nextSleep()
            #expect(first == clock.now.advanced(by: .seconds(60)))
            #expect(remote.changeCount == 3)

            local.record(2, prefix: "later")
            clock.advance(to: first)
            let second = try await waitForSleep(after: first, on: clock)
            #expect(first.duration(to: second) == .seconds(60))
            #expect(remote.changeCount == 5)
            #expect(transport.hellos == 2)
            #expect(logs.count(containing: "unreachable") == 0)

            // The per-peer state on disk is what `napsync status` reads.
            let saved = try store.load()
            #expect(saved.count == 1)
            #expect(saved.first?.reachability == .reachable)
            #expect(saved.first?.lastSuccess != nil)
            #expect(saved.first?.lastSession?.pushed == 2)
        }
    }

    @Test("a peer that keeps refusing the same change set is retried with backoff and logged once")
    func repeatedRefusal() async throws {
        let clock = ManualClock()
        let logs = LogCapture()
        let local = FakeExchange()
        local.record(2)
        let transport = InProcessTransport(peer: FakeExchange(), up: true)
        transport.refusePushes(true)
        let service = makeService(local: local, transport: transport, clock: clock, jitter: 1, logs: logs)
        try await running(service) {
            var last = clock.now
            var gaps: [Duration] = []
            for _ in 0..<4 {
                let deadline = try await clock.nextSleep()
                gaps.append(last.duration(to: deadline))
                last = deadline
                clock.advance(to: deadline)
            }
            #expect(gaps == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
            #expect(logs.count(containing: "napsync: sync failed ") == 1)
            #expect(logs.count(containing: "napsync: sync still failing ") >= 3)
            let state = await service.statuses().first
            #expect(state?.reachability == .reachable)
            #expect(state?.lastSession?.refused == 2)
        }
    }

    @Test("on-demand syncs run at once, between scheduled rounds")
    func onDemand() async throws {
        let clock = ManualClock()
        let remote = FakeExchange()
        let local = FakeExchange()
        let transport = InProcessTransport(peer: remote, up: true)
        let service = makeService(local: local, transport: transport, clock: clock, jitter: 1, logs: LogCapture())
        try await running(service) {
            _ = try await clock.nextSleep()
            remote.record(7)
            let summaries = await service.syncNow(peer: nil)
            #expect(summaries.count == 1)
            #expect(summaries.first?.applied == 7)
            #expect(local.digest == remote.digest)
        }
    }

    /// Waits until the service sleeps with a deadline later than `previous`. The timeout only keeps a broken test
    /// from hanging (as `ManualClock.nextSleep`'s).
    func waitForSleep(after previous: ManualClock.Instant, on clock: ManualClock) async throws -> ManualClock.Instant {
        let start = ContinuousClock.now
        while ContinuousClock.now - start < .seconds(60) {
            if let deadline = clock.sleepingUntil.min(), deadline > previous { return deadline }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw TimeoutError(what: "the next sleep")
    }
}

@Suite("Backoff policy")
struct BackoffPolicyTests {
    @Test("ceilings double from the minimum and stop at the maximum")
    func ceilings() {
        let policy = BackoffPolicy(minimum: .milliseconds(500), maximum: .seconds(30))
        #expect(
            (1...9).map { policy.ceiling(afterFailures: $0) } == [
                .milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(30),
                .seconds(30), .seconds(30),
            ])
        #expect(policy.ceiling(afterFailures: 1000) == .seconds(30))
    }

    @Test("jitter stays between half and all of the ceiling", arguments: [0.0, 0.25, 0.5, 1.0, 7.0, -1.0])
    func jitter(unit: Double) {
        let policy = BackoffPolicy(minimum: .seconds(1), maximum: .seconds(60))
        let delay = policy.delay(afterFailures: 4, unit: { unit })
        #expect(delay >= .seconds(4) && delay <= .seconds(8))
    }
}
