import Foundation
import Synchronization
import SyncCore

/// Whether the node is ready to serve, and why not; `GET /health` renders it.
public final class HealthState: Sendable {
    public enum Phase: String, Sendable, Codable { case starting, ready, stopping }

    public struct Report: Sendable, Codable, Equatable {
        public var status: Phase
        public var ready: Bool
        public var node: NodeID
        public var software: String
        public var listening: String?
        /// Why the node is not ready (empty when ready).
        public var reasons: [String]
        public var peers: [PeerStatus]
    }

    private struct Storage {
        var phase: Phase = .starting
        var listening: String?
        var peers: [PeerStatus] = []
    }

    private let storage = Mutex(Storage())
    public let node: NodeID

    public init(node: NodeID) { self.node = node }

    public func serving(at address: String) {
        storage.withLock {
            $0.listening = address
            if $0.phase == .starting { $0.phase = .ready }
        }
    }

    public func stopping() { storage.withLock { $0.phase = .stopping } }

    public func updatePeers(_ peers: [PeerStatus]) { storage.withLock { $0.peers = peers } }

    public var phase: Phase { storage.withLock { $0.phase } }

    public func report() -> Report {
        storage.withLock { storage in
            var reasons: [String] = []
            switch storage.phase {
            case .starting: reasons.append("the HTTP server is not listening yet")
            case .stopping: reasons.append("the daemon is shutting down")
            case .ready: break
            }
            return Report(
                status: storage.phase, ready: storage.phase == .ready, node: node, software: NapsyncVersion.software,
                listening: storage.listening, reasons: reasons, peers: storage.peers)
        }
    }
}
