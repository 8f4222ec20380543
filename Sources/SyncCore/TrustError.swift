/// Why a membership operation or a signed change set was refused. `description` is safe to log.
public enum TrustError: Error, Sendable, CustomStringConvertible {
    case keyFile(path: String, reason: String)
    case notCoordinator
    case notJoined
    case invalidRequest(String)
    case invalidCertificate(node: String, reason: String)
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
        case .invalidCertificate(let node, let reason):
            "membership certificate for node \(node) refused: \(reason)"
        case .wrongNetwork(let expected, let found):
            "certificate is for network \(found), this node belongs to network \(expected)"
        case .unknownNode(let node):
            "node \(node.short) is not known to this replica"
        }
    }
}
