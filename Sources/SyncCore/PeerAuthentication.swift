import Crypto
import Foundation
import NAPModel

/// Authenticates HTTP messages between nodes of a network: each request and response carries the sender's
/// membership certificate and its signature over the message, so both sides know they talk to an admitted,
/// unrevoked node before exchanging anything.
///
/// Headers: `Napsync-Node` (node id), `Napsync-Certificate` (base64 of the certificate JSON),
/// `Napsync-Timestamp` (ms since 1970), `Napsync-Signature` (base64 Ed25519 over `signedBytes`).
public struct MessageAuthentication: Sendable, Hashable {
    public static let nodeHeader = "Napsync-Node"
    public static let certificateHeader = "Napsync-Certificate"
    public static let timestampHeader = "Napsync-Timestamp"
    public static let signatureHeader = "Napsync-Signature"
    /// How far a message's timestamp may be from the receiver's clock.
    public static let allowedSkew: TimeInterval = 300

    public var node: NodeID
    public var certificate: String
    public var timestamp: Int64
    public var signature: String

    public init(node: NodeID, certificate: String, timestamp: Int64, signature: String) {
        self.node = node
        self.certificate = certificate
        self.timestamp = timestamp
        self.signature = signature
    }

    public var headers: [(String, String)] {
        [
            (Self.nodeHeader, node.hex), (Self.certificateHeader, certificate), (Self.timestampHeader, String(timestamp)),
            (Self.signatureHeader, signature),
        ]
    }

    /// Reads the four headers; nil if any is missing or malformed.
    public init?(header: (String) -> String?) {
        guard let node = header(Self.nodeHeader).flatMap(NodeID.init(hex:)), let certificate = header(Self.certificateHeader),
            let timestamp = header(Self.timestampHeader).flatMap(Int64.init), let signature = header(Self.signatureHeader)
        else { return nil }
        self.init(node: node, certificate: certificate, timestamp: timestamp, signature: signature)
    }

    /// What is signed: the kind of message (`request` or `response`), the method or status, the path, the
    /// timestamp and the SHA-256 of the body.
    public static func signedBytes(kind: String, method: String, path: String, timestamp: Int64, body: some DataProtocol) -> Data {
        let digest = SHA256.hash(data: Data(body)).map { String(format: "%02x", $0) }.joined()
        return Data("napsync-\(kind)-v1\n\(method)\n\(path)\n\(timestamp)\n\(digest)\n".utf8)
    }
}

/// Who an authenticated message came from.
public struct AuthenticatedPeer: Sendable, Hashable {
    public var node: NodeID
    public var owner: String

    public init(node: NodeID, owner: String) {
        self.node = node
        self.owner = owner
    }
}

extension Replica {
    /// Signs an outgoing request (`kind` "request") or response (`kind` "response", `method` the status code).
    public func authenticate(
        kind: String, method: String, path: String, body: some DataProtocol, now: Date = Date()
    ) throws -> MessageAuthentication {
        guard let signer, let certificate = try certificate(for: identity.nodeID) else { throw TrustError.notJoined }
        let timestamp = Int64(now.timeIntervalSince1970 * 1000)
        let signature = try signer.sign(
            MessageAuthentication.signedBytes(kind: kind, method: method, path: path, timestamp: timestamp, body: body))
        return MessageAuthentication(
            node: identity.nodeID, certificate: certificate.encoded().base64EncodedString(), timestamp: timestamp,
            signature: signature.base64EncodedString())
    }

    /// Checks a message's authentication: certificate from this network, valid and unrevoked, fresh
    /// timestamp, signature over this very message. Throws a `TrustError` saying what failed.
    public func verify(
        _ authentication: MessageAuthentication?, kind: String, method: String, path: String, body: some DataProtocol, now: Date = Date()
    ) throws -> AuthenticatedPeer {
        guard let root = try networkRoot() else { throw TrustError.notJoined }
        guard let authentication else {
            throw TrustError.refused(node: "?", reason: .missingHeaders, detail: "the message carries no napsync authentication headers")
        }
        guard let certificateData = Data(base64Encoded: authentication.certificate) else {
            throw TrustError.refused(node: authentication.node.hex, reason: .unknownNode, detail: "malformed certificate header")
        }
        let certificate = try MembershipCertificate.decode(certificateData)
        let key = try certificate.verify(root: root, at: now)
        guard certificate.node == authentication.node else {
            throw TrustError.refused(node: authentication.node.hex, reason: .unknownNode, detail: "the certificate is for node \(certificate.node.short)")
        }
        guard try !revokedNodes().contains(certificate.node) else {
            throw TrustError.refused(node: certificate.node.hex, reason: .revoked, detail: "the node was revoked")
        }
        let skew = abs(now.timeIntervalSince1970 - Double(authentication.timestamp) / 1000)
        guard skew <= MessageAuthentication.allowedSkew else {
            throw TrustError.refused(
                node: certificate.node.hex, reason: .clockSkew, detail: "the message is \(Int(skew)) s away from this node's clock (limit \(Int(MessageAuthentication.allowedSkew)) s)")
        }
        let message = MessageAuthentication.signedBytes(kind: kind, method: method, path: path, timestamp: authentication.timestamp, body: body)
        guard let signature = Data(base64Encoded: authentication.signature), key.isValidSignature(signature, for: message) else {
            throw TrustError.refused(node: certificate.node.hex, reason: .badSignature, detail: "the message signature does not match")
        }
        return AuthenticatedPeer(node: certificate.node, owner: certificate.owner)
    }
}
