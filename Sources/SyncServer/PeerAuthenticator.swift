import Foundation
import SyncCore

/// Signs and verifies the HTTP messages a node exchanges with its peers (see "Authentication" in
/// section 7 of `protocol.md`). ``Replica`` is one; tests may substitute their own.
///
/// Whether the node has joined a network is asked per message, not once at start: `napsync join install` may
/// pin a root while the daemon runs, and from then on the node refuses unauthenticated peers.
public protocol PeerAuthenticator: Sendable {
    /// The fingerprint of the network this node belongs to; nil before it joins one (development mode: no
    /// authentication either way).
    func networkFingerprint() throws -> String?

    /// Signs an outgoing message: `kind` is `request` (with the HTTP method) or `response` (with the status code).
    func authenticate(kind: String, method: String, path: String, body: Data) throws -> MessageAuthentication

    /// Checks an incoming message's authentication; throws a `TrustError` saying what failed.
    func verify(_ authentication: MessageAuthentication?, kind: String, method: String, path: String, body: Data) throws
        -> AuthenticatedPeer
}

extension Replica: PeerAuthenticator {
    public func authenticate(kind: String, method: String, path: String, body: Data) throws -> MessageAuthentication {
        try authenticate(kind: kind, method: method, path: path, body: body, now: Date())
    }

    public func verify(_ authentication: MessageAuthentication?, kind: String, method: String, path: String, body: Data)
        throws -> AuthenticatedPeer
    {
        try verify(authentication, kind: kind, method: method, path: path, body: body, now: Date())
    }
}

/// Why a peer's message was not accepted: a stable reason for logs and metrics, and a sentence for people.
public struct AuthenticationRefusal: Error, Sendable, Equatable, CustomStringConvertible {
    /// Why: the core's verdict on the certificate or signature, or a failure that is not about them.
    public enum Reason: Sendable, Hashable {
        /// The certificate or the signature was refused (`TrustError.Refusal` says which check failed).
        case refused(TrustError.Refusal)
        /// The certificate is for another network.
        case wrongNetwork
        /// This node could not check (its replica failed to read).
        case localFailure

        /// The stable label `napsync_requests_refused_total{reason}` and the logs use.
        public var label: String {
            switch self {
            case .refused(let refusal): refusal.rawValue
            case .wrongNetwork: "wrong-network"
            case .localFailure: "local-failure"
            }
        }
    }

    public var reason: Reason
    public var message: String

    public init(reason: Reason, message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "\(reason.label): \(message)" }

    /// Classifies an error thrown by ``PeerAuthenticator/verify(_:kind:method:path:body:)``.
    public init(classifying error: any Error) {
        guard let trust = error as? TrustError else {
            self.init(reason: .localFailure, message: "this node could not check the peer's authentication: \(error)")
            return
        }
        switch trust {
        case .wrongNetwork:
            self.init(reason: .wrongNetwork, message: trust.description)
        case .refused(_, let reason, _):
            self.init(reason: .refused(reason), message: trust.description)
        case .invalidCertificate, .unknownNode:
            self.init(reason: .refused(.unknownNode), message: trust.description)
        default:
            self.init(reason: .localFailure, message: trust.description)
        }
    }
}
