/// Why a membership operation or a signed change set was refused. `description` is safe to log.
public enum TrustError: Error, Sendable, CustomStringConvertible {
    case keyFile(path: String, reason: String)
    case notCoordinator
    case notJoined
    case invalidRequest(String)
    case invalidCertificate(node: String, reason: String)
    /// A node's certificate or signed message was refused, for a reason a caller can act on (the HTTP layer
    /// counts and answers by it); `detail` says it for people.
    case refused(node: String, reason: Refusal, detail: String)
    case wrongNetwork(expected: String, found: String)
    case unknownNode(NodeID)

    public var description: String {
        switch self {
        case .keyFile(let path, let reason):
            "key file \(path) unusable: \(reason)"
        case .notCoordinator:
            "only the coordinator node holds the network's root key and admits or revokes nodes"
        case .notJoined:
            "this node has not joined a network yet: ask the coordinator to admit it (`napsync join request`, then `napsync join install CERT`)"
        case .invalidRequest(let reason):
            "join request refused: \(reason)"
        case .invalidCertificate(let node, let reason), .refused(let node, _, let reason):
            "membership certificate for node \(node) refused: \(reason)"
        case .wrongNetwork(let expected, let found):
            "certificate is for network \(found), this node belongs to network \(expected)"
        case .unknownNode(let node):
            "node \(node.short) is not known to this replica"
        }
    }
}

extension TrustError {
    /// Why a certificate or a signed message was refused.
    public enum Refusal: String, Sendable, Hashable, CaseIterable {
        /// The message carries no authentication.
        case missingHeaders = "missing-headers"
        /// The certificate is malformed, not issued by this network's root, or for another node.
        case unknownNode = "unknown-node"
        /// The certificate is outside its validity period.
        case expiredCertificate = "expired-certificate"
        case revoked
        /// The signature does not cover this message.
        case badSignature = "bad-signature"
        /// The timestamp is too far from the receiver's clock.
        case clockSkew = "clock-skew"
    }
}
