import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import SyncCore

/// Performs the actions of a ``SyncSessionStateMachine``: talks to the peer through a ``PeerTransport`` and to the
/// local replica through ``ChangeSetExchange``.
///
/// It works one chunk ahead in both directions, so that the two nodes work at the same time: while it applies a
/// pulled chunk that says more follow, it already asks the peer for the next one, for the clock the replica will
/// hold once the chunk is applied (the chunk's header says which ranges it brings); while the peer applies a pushed
/// chunk, it already builds the next one, for the clock the peer will hold. What was obtained ahead is used only if
/// the clock the machine then names covers the predicted one (it may cover more: a local write, changes from
/// another session; whatever the chunk then repeats is skipped as already known). Otherwise (a failed apply,
/// shutdown) it is dropped, and nothing of it was applied. So at most two chunks are in memory.
public struct SyncSessionDriver: Sendable {
    let exchange: any ChangeSetExchange
    let transport: any PeerTransport
    let peer: String
    let direction: SyncSessionStateMachine.Direction
    let maxChanges: Int
    let logger: Logger

    public init(
        exchange: any ChangeSetExchange,
        transport: any PeerTransport,
        peer: String,
        direction: SyncSessionStateMachine.Direction = .both,
        maxChanges: Int,
        logger: Logger
    ) {
        self.exchange = exchange
        self.transport = transport
        self.peer = peer
        self.direction = direction
        self.maxChanges = maxChanges
        self.logger = logger
    }

    /// Runs one session to its end. Never throws: failures are in the summary.
    public func run() async -> (SyncSummary, SyncFailure?) {
        var machine = SyncSessionStateMachine(
            peer: peer, localNode: exchange.nodeID, direction: direction, maxChanges: maxChanges)
        var action = machine.start()
        // The last pull asked for, and the answer to the next one when it was asked ahead (see the type's comment);
        // the same for pushes.
        var lastPull: PullRequestBody?
        var prefetched: (request: PullRequestBody, answer: Result<PulledChunk?, any Error>)?
        var lastPushSize = maxChanges
        var preparedAhead: (peerClock: VectorClock, maxChanges: Int, result: Result<OutgoingChangeSet?, any Error>)?
        while true {
            // On shutdown, finish the chunk in hand (apply what arrived) but start no new exchange: every applied
            // chunk is complete, nothing is half-done, and the next session continues from the clocks.
            if Task.isShuttingDownGracefully || Task.isCancelled {
                switch action {
                case .finish, .fail, .applyLocally: break
                default: action = machine.interrupt()
                }
            }
            switch action {
            case .requestHello:
                do {
                    let hello = try await transport.hello()
                    let clock = try await onReplica { try $0.currentClock() }
                    action = machine.helloReceived(hello, localClock: clock)
                } catch {
                    action = machine.failed(Self.failure(error, local: SyncFailure.localReadFailed))
                }
            case .requestPull(let localClock, let maxChanges):
                let request = PullRequestBody(clock: localClock, maxChanges: maxChanges)
                lastPull = request
                let answer: Result<PulledChunk?, any Error>
                if let ahead = prefetched, ahead.request.maxChanges == maxChanges, localClock.dominates(ahead.request.clock) {
                    answer = ahead.answer
                } else {
                    answer = await Self.pull(request, from: transport)
                }
                prefetched = nil
                switch answer {
                case .success(let chunk): action = machine.pullReceived(chunk)
                case .failure(let error): action = machine.failed(Self.failure(error, local: SyncFailure.localReadFailed))
                }
            case .applyLocally(let chunk):
                let next = lastPull.flatMap { Self.nextPull(after: chunk, requested: $0) }
                // Cancelled and awaited at the end of this case if it is not used.
                async let ahead = next == nil ? nil : Self.pull(next!, from: transport)
                do {
                    let report = try await onReplica { try $0.apply(changeSet: chunk.data) }
                    logger.debug(
                        "applied pulled change set",
                        metadata: [
                            "napsync.peer": "\(peer)", "napsync.changeset.changes": "\(chunk.changeCount)",
                            "napsync.changeset.bytes": "\(chunk.data.count)", "napsync.applied": "\(report.applied)",
                        ])
                    action = machine.appliedLocally(report)
                } catch {
                    action = machine.failed(Self.failure(error, local: SyncFailure.localApplyFailed))
                }
                if let next, case .requestPull(let clock, let maxChanges) = action, clock.dominates(next.clock),
                    maxChanges == next.maxChanges, let answer = await ahead
                {
                    prefetched = (next, answer)
                }
            case .prepareOutgoing(let peerClock, let maxChanges):
                lastPushSize = maxChanges
                let result: Result<OutgoingChangeSet?, any Error>
                if let ahead = preparedAhead, ahead.maxChanges == maxChanges, peerClock.dominates(ahead.peerClock) {
                    result = ahead.result
                } else {
                    result = await prepare(for: peerClock, maxChanges: maxChanges)
                }
                preparedAhead = nil
                switch result {
                case .success(let outgoing): action = machine.outgoingPrepared(outgoing)
                case .failure(let error): action = machine.failed(Self.failure(error, local: SyncFailure.localReadFailed))
                }
            case .send(let outgoing):
                let next = outgoing.hasMore ? outgoing.peerClockAfter : nil
                let size = lastPushSize
                // Cancelled and awaited at the end of this case if it is not used.
                async let ahead = next == nil ? nil : prepare(for: next!, maxChanges: size)
                do {
                    let report = try await transport.push(outgoing)
                    logger.debug(
                        "pushed change set",
                        metadata: [
                            "napsync.peer": "\(peer)", "napsync.changeset.changes": "\(outgoing.changeCount)",
                            "napsync.changeset.bytes": "\(outgoing.data.count)", "napsync.applied": "\(report.applied)",
                        ])
                    action = machine.sendAcknowledged(report)
                } catch let failure as SyncFailure {
                    if case .peerError(status: 422, _, _) = failure {
                        action = machine.sendRefused(failure)
                    } else {
                        action = machine.failed(failure)
                    }
                } catch {
                    action = machine.failed(.unreachable(String(describing: error)))
                }
                if let next, case .prepareOutgoing(let clock, let maxChanges) = action, clock.dominates(next),
                    maxChanges == size, let result = await ahead
                {
                    preparedAhead = (next, maxChanges, result)
                }
            case .finish(let summary):
                return (summary, nil)
            case .fail(let summary, let failure):
                return (summary, failure)
            }
        }
    }

    /// The pull that will follow `chunk` if applying it goes as its header says: the clock of `requested` with the
    /// chunk's ranges added. Nil when no chunk follows, or the header cannot be read (the apply will say why).
    static func nextPull(after chunk: PulledChunk, requested: PullRequestBody) -> PullRequestBody? {
        guard chunk.hasMore, let header = ChangeSetFormat.unverifiedHeader(of: chunk.data) else { return nil }
        let brought = VectorClock(Dictionary(
            header.origins.filter { $0.count > 0 }.map { ($0.node, $0.lastSeq) }, uniquingKeysWith: max))
        return PullRequestBody(clock: requested.clock.merged(with: brought), maxChanges: requested.maxChanges)
    }

    private func prepare(for peerClock: VectorClock, maxChanges: Int) async -> Result<OutgoingChangeSet?, any Error> {
        do {
            return .success(try await onReplica { try $0.changeSet(missingFrom: peerClock, maxChanges: maxChanges) })
        } catch {
            return .failure(error)
        }
    }

    private static func pull(_ request: PullRequestBody, from transport: any PeerTransport) async -> Result<PulledChunk?, any Error> {
        do {
            return .success(try await transport.pull(request))
        } catch {
            return .failure(error)
        }
    }

    /// Replica calls block on SQLite: run them on NIO's blocking pool, not on the cooperative pool.
    private func onReplica<T: Sendable>(_ body: @escaping @Sendable (any ChangeSetExchange) throws -> T) async throws
        -> T
    {
        let exchange = self.exchange
        return try await ReplicaWorkPool.shared.runIfActive { try body(exchange) }
    }

    private static func failure(_ error: any Error, local: (String) -> SyncFailure) -> SyncFailure {
        if let failure = error as? SyncFailure { return failure }
        return local(String(describing: error))
    }
}
