import Foundation
import SyncCore

/// What this node knows about one configured peer; persisted in `peers.json` and shown by `napsync status`.
public struct PeerStatus: Sendable, Codable, Equatable {
    public enum Reachability: String, Sendable, Codable {
        /// Not tried yet since the daemon started.
        case unknown
        case reachable
        /// The last attempt got no answer.
        case unreachable
        /// The peer answers but speaks another protocol version.
        case incompatible
    }

    /// The peer's base URL, as configured.
    public var peer: String
    /// The peer's node id, once it answered.
    public var node: NodeID?
    public var reachability: Reachability = .unknown
    public var lastAttempt: Date?
    public var lastSuccess: Date?
    /// Why the last attempt failed; `nil` after a success.
    public var lastError: String?
    public var consecutiveFailures = 0
    /// Changes missing on either side after the last session that reached the peer.
    public var lag: Lag?
    /// When the daemon plans the next attempt.
    public var nextAttempt: Date?
    /// The last session's counts.
    public var lastSession: SyncSummary?

    public init(peer: String) { self.peer = peer }
}
