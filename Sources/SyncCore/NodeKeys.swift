import Crypto
import Foundation

/// A node's Ed25519 key pair, kept in a file readable by its owner only (mode 0600). The private key never
/// leaves the node: only the public key travels, inside join requests and certificates.
public struct NodeKey: Sendable {
    /// The key is immutable; the box only makes the non-`Sendable` key type shareable.
    private final class Box: @unchecked Sendable {
        let key: Curve25519.Signing.PrivateKey
        init(_ key: Curve25519.Signing.PrivateKey) { self.key = key }
    }

    private let box: Box
    /// The public key's 32 raw bytes.
    public let publicKeyBytes: Data

    public var privateKey: Curve25519.Signing.PrivateKey { box.key }

    public var publicKey: Curve25519.Signing.PublicKey { try! Curve25519.Signing.PublicKey(rawRepresentation: publicKeyBytes) }

    /// The public key as base64 of its 32 raw bytes.
    public var publicKeyBase64: String { publicKeyBytes.base64EncodedString() }

    public init(privateKey: Curve25519.Signing.PrivateKey = .init()) {
        box = Box(privateKey)
        publicKeyBytes = privateKey.publicKey.rawRepresentation
    }

    public func sign(_ message: some DataProtocol) throws -> Data { try box.key.signature(for: message) }

    /// Creates a new key at `url` (refusing to replace one) with mode 0600.
    public static func create(at url: URL) throws -> NodeKey {
        let key = NodeKey()
        let text = Data((key.privateKey.rawRepresentation.base64EncodedString() + "\n").utf8)
        guard FileManager.default.createFile(atPath: url.path, contents: text, attributes: [.posixPermissions: 0o600]) else {
            throw TrustError.keyFile(path: url.path, reason: "cannot create it")
        }
        return key
    }

    /// Loads a key, refusing one that other users could read.
    public static func load(from url: URL) throws -> NodeKey {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        guard let attributes, let mode = attributes[.posixPermissions] as? NSNumber else {
            throw TrustError.keyFile(path: url.path, reason: "it is missing")
        }
        guard mode.intValue & 0o077 == 0 else {
            throw TrustError.keyFile(path: url.path, reason: "its mode is \(String(mode.intValue, radix: 8)); run `chmod 600 \(url.path)`")
        }
        let text = try String(contentsOf: url, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let raw = Data(base64Encoded: text), let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: raw) else {
            throw TrustError.keyFile(path: url.path, reason: "it does not hold an Ed25519 private key")
        }
        return NodeKey(privateKey: key)
    }
}

extension Curve25519.Signing.PublicKey {
    /// Parses base64 of the 32 raw bytes.
    static func parse(base64 text: String) -> Curve25519.Signing.PublicKey? {
        Data(base64Encoded: text).flatMap { try? Curve25519.Signing.PublicKey(rawRepresentation: $0) }
    }

    /// A short, stable name for a network: the first 16 bytes of the SHA-256 of its root public key, in hex.
    var fingerprint: String { SHA256.hash(data: rawRepresentation).prefix(16).map { String(format: "%02x", $0) }.joined() }
}
