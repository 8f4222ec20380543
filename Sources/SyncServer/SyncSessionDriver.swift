import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import SyncCore

/// Performs the actions of a ``SyncSessionStateMachine``: talks to the peer through a ``PeerTransport`` and to the
/// local replica through ``ChangeSetExchange``. Holds at most one chunk in memory at a time.
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
                do {
                    let chunk = try await transport.pull(PullRequestBody(clock: localClock, maxChanges: maxChanges))
                    action = machine.pullReceived(chunk)
                } catch {
                    action = machine.failed(Self.failure(error, local: SyncFailure.localReadFailed))
                }
            case .applyLocally(let chunk):
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
            case .prepareOutgoing(let peerClock, let maxChanges):
                do {
                    let outgoing = try await onReplica {
                        try $0.changeSet(missingFrom: peerClock, maxChanges: maxChanges)
                    }
                    action = machine.outgoingPrepared(outgoing)
                } catch {
                    action = machine.failed(Self.failure(error, local: SyncFailure.localReadFailed))
                }
            case .send(let outgoing):
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
            case .finish(let summary):
                return (summary, nil)
            case .fail(let summary, let failure):
                return (summary, failure)
            }
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
