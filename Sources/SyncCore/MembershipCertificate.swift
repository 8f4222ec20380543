import Crypto
import Foundation

/// The coordinator's signed statement that a node key belongs to a department (or is the coordinator) for a
/// period. Every replica checks it with the network's root public key, so it can verify the author of a
/// change whoever relayed it.
public struct MembershipCertificate: Sendable, Hashable, Codable {
    /// Fingerprint of the root public key that signed it.
    public var network: String
    public var node: NodeID
    /// The node's Ed25519 public key, base64 of the 32 raw bytes.
    public var publicKey: String
    /// Department slug, or `coordinator`.
    public var owner: String
    /// Validity, in milliseconds since 1970.
    public var notBefore: Int64
    public var notAfter: Int64
    /// Root signature over `signedBytes`, base64.
    public var signature: String

    /// The exact bytes the root key signs: one `name=value` line per field, in this order.
    public var signedBytes: Data {
        Data(
            """
            napsync-membership-v1
            network=\(network)
            node=\(node.hex)
            publicKey=\(publicKey)
            owner=\(owner)
            notBefore=\(notBefore)
            notAfter=\(notAfter)

            """.utf8)
    }

    /// Issues a certificate signed by `root`.
    public static func issue(
        node: NodeID, publicKey: String, owner: String, validFrom: Date, validFor days: Int, root: NodeKey
    ) throws -> MembershipCertificate {
        var certificate = MembershipCertificate(
            network: root.publicKey.fingerprint, node: node, publicKey: publicKey, owner: owner,
            notBefore: Int64(validFrom.timeIntervalSince1970 * 1000),
            notAfter: Int64(validFrom.addingTimeInterval(Double(days) * 86_400).timeIntervalSince1970 * 1000),
            signature: "")
        certificate.signature = try root.sign(certificate.signedBytes).base64EncodedString()
        return certificate
    }

    /// Checks the root signature, the network and the validity window; returns the node's public key.
    public func verify(root: Curve25519.Signing.PublicKey, at now: Date) throws(TrustError) -> Curve25519.Signing.PublicKey {
        guard network == root.fingerprint else { throw .wrongNetwork(expected: root.fingerprint, found: network) }
        guard let signatureBytes = Data(base64Encoded: signature), root.isValidSignature(signatureBytes, for: signedBytes) else {
            throw .refused(node: node.hex, reason: .unknownNode, detail: "the root signature does not match")
        }
        let milliseconds = Int64(now.timeIntervalSince1970 * 1000)
        guard milliseconds >= notBefore, milliseconds <= notAfter else {
            throw .refused(node: node.hex, reason: .expiredCertificate, detail: "it is not valid at this time (valid \(notBefore)...\(notAfter) ms)")
        }
        guard let key = Curve25519.Signing.PublicKey.parse(base64: publicKey) else {
            throw .refused(node: node.hex, reason: .unknownNode, detail: "malformed public key")
        }
        return key
    }

    /// Compact JSON with sorted keys: how a certificate travels in change-set headers and files.
    public func encoded() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(self)) ?? Data()
    }

    public static func decode(_ data: Data) throws(TrustError) -> MembershipCertificate {
        do {
            return try JSONDecoder().decode(MembershipCertificate.self, from: data)
        } catch {
            throw .refused(node: "?", reason: .unknownNode, detail: "malformed certificate: \(error)")
        }
    }
}

/// What a node sends the coordinator to be admitted: its id, public key and the owner it asks to write for.
public struct JoinRequest: Sendable, Hashable, Codable {
    public var node: NodeID
    public var publicKey: String
    public var owner: String
    /// The node's signature over the request with its own key: proof that it holds the private key.
    public var signature: String

    var signedBytes: Data { Data("napsync-join-v1\nnode=\(node.hex)\npublicKey=\(publicKey)\nowner=\(owner)\n".utf8) }
}

/// The file the coordinator hands back: the certificate and the network's root public key to pin.
public struct Admission: Sendable, Hashable, Codable {
    public var certificate: MembershipCertificate
    public var rootPublicKey: String
}
