import Foundation
import Logging
import ServiceLifecycle
import SyncCore

/// Syncs with every configured peer on a schedule and on demand; a `Service` in the daemon's `ServiceGroup`.
///
/// A reachable peer is synced every `interval`; an unreachable one is retried with ``BackoffPolicy``. Only changes of
/// reachability are logged at notice level (reachable -> unreachable and back), not every failed retry. Time comes
/// from an injected `Clock`, so tests drive the schedule without waiting.
///
/// On graceful shutdown the loop stops scheduling; sessions in flight stop after their current chunk.
public actor PeerSyncService<C: Clock>: Service where C.Duration == Duration {
    public struct Schedule: Sendable {
        public var interval: Duration
        public var backoff: BackoffPolicy
        public var chunkSize: Int

        public init(interval: Duration, backoff: BackoffPolicy, chunkSize: Int) {
            self.interval = interval
            self.backoff = backoff
            self.chunkSize = chunkSize
        }
    }

    /// Makes the transport for a peer base URL.
    public typealias TransportFactory = @Sendable (String) -> any PeerTransport

    private struct Peer {
        var status: PeerStatus
        var nextAttempt: C.Instant
        /// Sessions running now (a scheduled one and on-demand ones may overlap; applying is idempotent).
        var sessionsInFlight = 0
        var inFlight: Bool { sessionsInFlight > 0 }
    }

    private let exchange: any ChangeSetExchange
    private let schedule: Schedule
    private let makeTransport: TransportFactory
    private let clock: C
    private let store: PeerStateStore?
    private let metrics: SyncMetrics?
    private let health: HealthState?
    private let jitter: @Sendable () -> Double
    private let logger: Logger
    private var peers: [String: Peer] = [:]
    private let order: [String]

    public init(
        exchange: any ChangeSetExchange,
        peers: [String],
        schedule: Schedule,
        clock: C,
        store: PeerStateStore? = nil,
        metrics: SyncMetrics? = nil,
        health: HealthState? = nil,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0...1) },
        logger: Logger,
        makeTransport: @escaping TransportFactory
    ) {
        self.exchange = exchange
        self.schedule = schedule
        self.clock = clock
        self.store = store
        self.metrics = metrics
        self.health = health
        self.jitter = jitter
        self.logger = logger
        self.makeTransport = makeTransport
        var unique: [String] = []
        for peer in peers where !unique.contains(peer) { unique.append(peer) }
        self.order = unique
        let previous = (try? store?.load()) ?? []
        let now = clock.now
        for peer in unique {
            var status = previous.first { $0.peer == peer } ?? PeerStatus(peer: peer)
            // Reachability is re-learnt on every start; history (last success, lag) is kept.
            status.reachability = .unknown
            status.consecutiveFailures = 0
            self.peers[peer] = Peer(status: status, nextAttempt: now)
        }
    }

    /// The state of every configured peer, in configuration order.
    public func statuses() -> [PeerStatus] { order.compactMap { peers[$0]?.status } }

    public func run() async throws {
        persist()
        guard !order.isEmpty else {
            logger.info("no peers configured; serving only", metadata: [:])
            try? await gracefulShutdown()
            return
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            let now = clock.now
            let due = order.filter { peer in peers[peer].map { !$0.inFlight && $0.nextAttempt <= now } ?? false }
            if !due.isEmpty {
                await withTaskGroup(of: Void.self) { group in
                    for peer in due {
                        group.addTask { _ = await self.sync(peer: peer, trigger: "schedule") }
                    }
                }
                continue
            }
            // Peers in flight (an on-demand sync) get their next time when that session ends; until then, look
            // again after a short while rather than spinning on a deadline already past.
            let waiting = order.compactMap { peers[$0] }.filter { !$0.inFlight }.map(\.nextAttempt)
            let next = waiting.min() ?? now.advanced(by: min(schedule.backoff.minimum, schedule.interval))
            do {
                try await cancelWhenGracefulShutdown {
                    try await self.clock.sleep(until: next, tolerance: nil)
                }
            } catch {
                break
            }
        }
        logger.debug("peer sync service stopped")
    }

    /// Syncs now with `peer` (any URL) or, when `nil`, with every configured peer. Returns each session's summary.
    public func syncNow(peer: String?) async -> [SyncSummary] {
        let targets = peer.map { [$0] } ?? order
        return await withTaskGroup(of: (Int, SyncSummary).self) { group in
            for (index, target) in targets.enumerated() {
                group.addTask { (index, await self.sync(peer: target, trigger: "request")) }
            }
            var results: [(Int, SyncSummary)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    // MARK: One session

    private func sync(peer url: String, trigger: String) async -> SyncSummary {
        if peers[url] == nil {
            peers[url] = Peer(status: PeerStatus(peer: url), nextAttempt: clock.now.advanced(by: schedule.interval))
        }
        peers[url]?.sessionsInFlight += 1
        let logger = self.logger.with(peer: url)
        logger.debug("sync started", metadata: ["napsync.trigger": "\(trigger)"])
        let driver = SyncSessionDriver(
            exchange: exchange, transport: makeTransport(url), peer: url, maxChanges: schedule.chunkSize,
            logger: logger)
        let (summary, failure) = await driver.run()
        record(summary, failure: failure, logger: logger)
        return summary
    }

    private func record(_ summary: SyncSummary, failure: SyncFailure?, logger: Logger) {
        guard var peer = peers[summary.peer] else { return }
        peer.sessionsInFlight = max(0, peer.sessionsInFlight - 1)
        let now = Date()
        let before = peer.status.reachability
        var status = peer.status
        status.lastAttempt = now
        status.lastSession = summary
        if let node = summary.peerNode { status.node = node }
        if let lag = summary.lagAfter { status.lag = lag }
        let delay: Duration
        switch failure {
        case nil:
            status.reachability = .reachable
            status.lastSuccess = now
            status.lastError = nil
            if before == .unreachable || before == .incompatible {
                logger.notice(
                    "peer reachable again",
                    metadata: ["napsync.failures": "\(status.consecutiveFailures)"])
            }
            status.consecutiveFailures = 0
            delay = schedule.interval
            let metadata: Logger.Metadata = [
                "napsync.applied": "\(summary.applied)", "napsync.pushed": "\(summary.pushed)",
                "napsync.already_known": "\(summary.alreadyKnown)", "napsync.conflicts": "\(summary.conflictsOpened)",
                "napsync.chunks_in": "\(summary.chunksIn)", "napsync.chunks_out": "\(summary.chunksOut)",
                "napsync.bytes_in": "\(summary.bytesIn)", "napsync.bytes_out": "\(summary.bytesOut)",
            ]
            if summary.applied + summary.pushed > 0 {
                logger.info("synced", metadata: metadata)
            } else {
                logger.debug("synced, nothing to exchange", metadata: metadata)
            }
        case .interrupted:
            delay = .zero
        case let failure?:
            let previousError = status.lastError
            status.consecutiveFailures += 1
            status.lastError = failure.description
            if case .incompatibleProtocol = failure {
                status.reachability = .incompatible
                delay = schedule.backoff.maximum
            } else {
                status.reachability = failure.isUnreachable ? .unreachable : .reachable
                delay = schedule.backoff.delay(afterFailures: status.consecutiveFailures, unit: jitter)
            }
            let metadata: Logger.Metadata = [
                "error": "\(failure)", "napsync.failures": "\(status.consecutiveFailures)",
                "napsync.retry_in": "\(formatDuration(delay))",
            ]
            if status.reachability != before, status.reachability == .unreachable {
                logger.warning("peer unreachable", metadata: metadata)
            } else if status.reachability != before, status.reachability == .incompatible {
                logger.error("peer speaks an incompatible protocol version", metadata: metadata)
            } else if failure.isUnreachable || status.reachability == .incompatible {
                logger.debug("peer still unreachable", metadata: metadata)
            } else if previousError != status.lastError {
                logger.warning("sync failed", metadata: metadata)
            } else {
                // The same refusal again (e.g. a change set the peer keeps refusing): said once already.
                logger.debug("sync still failing", metadata: metadata)
            }
        }
        peer.nextAttempt = clock.now.advanced(by: delay)
        status.nextAttempt = now.addingTimeInterval(delay.seconds)
        peer.status = status
        peers[summary.peer] = peer
        metrics?.recordSession(summary, failure: failure == .interrupted ? nil : failure)
        persist()
    }

    private func persist() {
        let statuses = statuses()
        health?.updatePeers(statuses)
        guard let store else { return }
        do {
            try store.save(statuses, node: exchange.nodeID)
        } catch {
            logger.warning("cannot write peer state", metadata: ["error": "\(error)", "file": "\(store.fileURL.path)"])
        }
    }
}

extension Logger {
    func with(peer: String) -> Logger {
        var logger = self
        logger[metadataKey: "napsync.peer"] = "\(peer)"
        return logger
    }
}
