import Foundation
import SyncCore

/// What one sync session with one peer did; logged, counted in metrics, persisted per peer and returned by
/// `POST /v1/local/sync`.
public struct SyncSummary: Sendable, Codable, Equatable {
    public enum Outcome: String, Sendable, Codable { case running, completed, failed }

    /// The peer's base URL.
    public var peer: String
    public var peerNode: NodeID?
    public var direction: SyncSessionStateMachine.Direction
    public var outcome: Outcome = .running
    /// Why the session failed, safe for logs.
    public var error: String?
    /// Changes pulled and newly applied locally.
    public var applied = 0
    /// Changes pulled that the local replica already held.
    public var alreadyKnown = 0
    public var conflictsOpened = 0
    /// Changes pushed to the peer.
    public var pushed = 0
    /// Of the changes pushed, those that were new to the peer.
    public var peerApplied = 0
    public var peerConflictsOpened = 0
    /// Changes in chunks the receiver refused (failed to verify or apply): none of them was applied.
    public var refused = 0
    public var chunksIn = 0
    public var chunksOut = 0
    public var bytesIn = 0
    public var bytesOut = 0
    public var lagBefore: Lag?
    public var lagAfter: Lag?
    public var localClock: VectorClock?
    public var peerClock: VectorClock?

    public init(peer: String, direction: SyncSessionStateMachine.Direction) {
        self.peer = peer
        self.direction = direction
    }
}

/// Why a sync session failed. `description` is safe for logs and says what to do.
public enum SyncFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// No answer: connection refused, DNS, timeout, cut mid-response.
    case unreachable(String)
    /// The peer speaks another protocol version.
    case incompatibleProtocol(peerVersions: [Int])
    /// The peer answered with an error status.
    case peerError(status: Int, code: String, message: String)
    /// The peer's answer does not follow the protocol.
    case protocolViolation(String)
    /// The local replica could not read or encode changes.
    case localReadFailed(String)
    /// The local replica refused a change set received from the peer.
    case localApplyFailed(String)
    /// The peer keeps announcing more changes but the clock does not move.
    case noProgress(phase: String)
    /// The configured peer URL points at this node itself.
    case selfPeer
    /// The daemon is shutting down; the session stopped between chunks.
    case interrupted
    /// The peer's answer is not signed by an admitted, unrevoked member of this node's network, or the peer
    /// refused this node's requests (401): nothing it sent was used.
    case unauthenticated(String)
    /// The peer belongs to another network than this node (a fingerprint, or nil for no network).
    case wrongNetwork(local: String?, peer: String?)

    public var description: String {
        switch self {
        case .unreachable(let why): "peer unreachable: \(why)"
        case .incompatibleProtocol(let versions):
            "peer speaks protocol version(s) \(versions.map(String.init).joined(separator: ", ")), this node speaks "
                + "\(ProtocolV1.version); upgrade the older node"
        case .peerError(let status, let code, let message): "peer answered \(status) \(code): \(message)"
        case .protocolViolation(let why): "peer broke the protocol: \(why)"
        case .localReadFailed(let why): "local replica could not build a change set: \(why)"
        case .localApplyFailed(let why): "local replica refused a change set from the peer: \(why)"
        case .noProgress(let phase): "no progress while \(phase)ing: the peer announces more changes but none arrive"
        case .selfPeer: "the peer URL points at this node itself; remove it from the configured peers"
        case .interrupted: "interrupted by shutdown; the next session continues where this one stopped"
        case .unauthenticated(let why): "peer not authenticated: \(why)"
        case .wrongNetwork(let local, let peer):
            "the peer belongs to \(peer.map { "network \($0)" } ?? "no network") but this node to "
                + "\(local.map { "network \($0)" } ?? "no network"); nodes sync only within one network "
                + "(check the peer URL, or have the coordinator admit the node that has not joined)"
        }
    }

    /// Whether the failure says the peer is not reachable (as opposed to reachable but failing).
    public var isUnreachable: Bool {
        if case .unreachable = self { return true }
        return false
    }

    /// A short label for metrics.
    public var kind: String {
        switch self {
        case .unreachable: "unreachable"
        case .incompatibleProtocol: "incompatible_protocol"
        case .peerError: "peer_error"
        case .protocolViolation: "protocol_violation"
        case .localReadFailed: "local_read"
        case .localApplyFailed: "local_apply"
        case .noProgress: "no_progress"
        case .selfPeer: "self_peer"
        case .interrupted: "interrupted"
        case .unauthenticated: "unauthenticated"
        case .wrongNetwork: "wrong_network"
        }
    }
}
