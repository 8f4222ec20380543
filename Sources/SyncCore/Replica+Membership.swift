import Crypto
import Foundation
import GRDB
import Logging
import NAPModel

/// Membership: the coordinator founds the network with a root key, admits nodes with signed certificates and
/// revokes them with signed revocations that sync like any change. Everything works offline, as files.
extension Replica {
    /// The network's root public key this node trusts, once it has joined (the coordinator from the start).
    public func networkRoot() throws -> Curve25519.Signing.PublicKey? {
        try database.read { db in try Self.networkRoot(db) }
    }

    static func networkRoot(_ db: Database) throws -> Curve25519.Signing.PublicKey? {
        try String.fetchOne(db, sql: "SELECT value FROM node WHERE key = 'network_root'").flatMap {
            Curve25519.Signing.PublicKey.parse(base64: $0)
        }
    }

    /// The network's fingerprint, or nil before joining.
    public func networkFingerprint() throws -> String? { try networkRoot()?.fingerprint }

    /// Founds the network (coordinator only): creates the root key (mode 0600, it never leaves this node),
    /// pins it and certifies the coordinator itself. From then on this replica refuses changes it cannot verify.
    @discardableResult
    public func createNetwork(now: Date = Date()) throws -> String {
        guard identity.owner == .coordinator else { throw TrustError.notCoordinator }
        guard try networkRoot() == nil else { throw TrustError.invalidRequest("this coordinator already founded network \(try networkFingerprint() ?? "")") }
        guard let signer else { throw TrustError.keyFile(path: directory.appendingPathComponent(Self.keyFileName).path, reason: "it is missing") }
        let root = try NodeKey.create(at: directory.appendingPathComponent(Self.rootKeyFileName))
        let certificate = try MembershipCertificate.issue(
            node: identity.nodeID, publicKey: signer.publicKeyBase64, owner: Owner.coordinatorSlug, validFrom: now, validFor: 3650, root: root)
        try database.write { db in
            try db.execute(sql: "INSERT INTO node (key, value) VALUES ('network_root', ?)", arguments: [root.publicKeyBase64])
            try db.execute(sql: "INSERT OR REPLACE INTO certificate (node_id, body) VALUES (?, ?)", arguments: [identity.nodeID.hex, certificate.encoded()])
        }
        logger.notice("founded network", metadata: ["napsync.network": "\(root.publicKey.fingerprint)"])
        return root.publicKey.fingerprint
    }

    /// A request to be admitted, signed with this node's key to prove it holds it.
    public func joinRequest() throws -> JoinRequest {
        guard let signer else { throw TrustError.keyFile(path: directory.appendingPathComponent(Self.keyFileName).path, reason: "it is missing") }
        var request = JoinRequest(node: identity.nodeID, publicKey: signer.publicKeyBase64, owner: identity.owner.slug, signature: "")
        request.signature = try signer.sign(request.signedBytes).base64EncodedString()
        return request
    }

    /// Admits a node (coordinator only): checks the request's proof of key possession and issues a certificate.
    public func admit(_ request: JoinRequest, validForDays days: Int = 1095, now: Date = Date()) throws -> Admission {
        let root = try rootKey()
        guard (1...36_500).contains(days) else {
            throw TrustError.invalidRequest("a membership is valid for 1 to 36500 days (100 years), not \(days)")
        }
        guard let key = Curve25519.Signing.PublicKey.parse(base64: request.publicKey),
            let signature = Data(base64Encoded: request.signature), key.isValidSignature(signature, for: request.signedBytes)
        else { throw TrustError.invalidRequest("its signature does not match its public key") }
        guard Owner(slug: request.owner) != nil else { throw TrustError.invalidRequest("unknown owner '\(request.owner)'") }
        guard request.owner != Owner.coordinatorSlug else {
            throw TrustError.invalidRequest("a network has one coordinator; admit departments only")
        }
        let certificate = try MembershipCertificate.issue(
            node: request.node, publicKey: request.publicKey, owner: request.owner, validFrom: now, validFor: days, root: root)
        try database.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO certificate (node_id, body) VALUES (?, ?)", arguments: [request.node.hex, certificate.encoded()])
        }
        logger.notice("admitted node", metadata: ["napsync.admitted": "\(request.node.short)", "napsync.owner": "\(request.owner)"])
        return Admission(certificate: certificate, rootPublicKey: root.publicKeyBase64)
    }

    /// Installs the coordinator's answer: pins the network root and stores this node's certificate.
    public func install(_ admission: Admission, now: Date = Date()) throws {
        guard let root = Curve25519.Signing.PublicKey.parse(base64: admission.rootPublicKey) else {
            throw TrustError.invalidCertificate(node: identity.nodeID.hex, reason: "malformed root public key")
        }
        let certificate = admission.certificate
        _ = try certificate.verify(root: root, at: now)
        guard certificate.node == identity.nodeID, certificate.publicKey == signer?.publicKeyBase64 else {
            throw TrustError.invalidCertificate(node: certificate.node.hex, reason: "it was issued for another node or key")
        }
        guard certificate.owner == identity.owner.slug else {
            throw TrustError.invalidCertificate(node: certificate.node.hex, reason: "it is for \(certificate.owner), this node records for \(identity.owner)")
        }
        try database.write { db in
            if let pinned = try Self.networkRoot(db), pinned.rawRepresentation != root.rawRepresentation {
                throw TrustError.wrongNetwork(expected: pinned.fingerprint, found: root.fingerprint)
            }
            try db.execute(sql: "INSERT OR REPLACE INTO node (key, value) VALUES ('network_root', ?)", arguments: [admission.rootPublicKey])
            try db.execute(sql: "INSERT OR REPLACE INTO certificate (node_id, body) VALUES (?, ?)", arguments: [identity.nodeID.hex, certificate.encoded()])
        }
    }

    /// Revokes a node (coordinator only). The revocation is a record the root key signs; it syncs like any
    /// change, and every replica then refuses that node's further changes. Nil when the replica already held this
    /// revocation, with this reason: nothing changed.
    @discardableResult
    public func revoke(_ node: NodeID, reason: String) throws -> Change? {
        let root = try rootKey()
        guard node != identity.nodeID else { throw TrustError.invalidRequest("the coordinator cannot revoke itself") }
        // Decided from what is held, not from a new signature's bytes, which need not repeat.
        if let held = try state(of: Self.revocationKey(node)), held.exists, !held.isRemoved, held.values["reason"] == .text(reason),
            Self.isValidRevocation(held.values, node: node, root: root.publicKey)
        {
            return nil
        }
        let signature = try root.sign(Self.revocationMessage(network: root.publicKey.fingerprint, node: node))
        return try set(
            Self.revocationKey(node),
            fields: ["node": .text(node.hex), "reason": .text(reason), "signature": .text(signature.base64EncodedString())])
    }

    static func revocationKey(_ node: NodeID) -> RecordKey { RecordKey(kind: .revocation, owner: .coordinator, id: node.hex) }

    static func revocationMessage(network: String, node: NodeID) -> Data {
        Data("napsync-revocation-v1\nnetwork=\(network)\nnode=\(node.hex)\n".utf8)
    }

    /// The certificate this replica holds for `node`.
    public func certificate(for node: NodeID) throws -> MembershipCertificate? {
        try database.read { db in
            try Data.fetchOne(db, sql: "SELECT body FROM certificate WHERE node_id = ?", arguments: [node.hex]).flatMap {
                try? MembershipCertificate.decode($0)
            }
        }
    }

    /// Nodes revoked by a validly signed revocation this replica holds, under the key `revoke` writes
    /// (`revocationKey`): the key the sync path looks up when it checks an origin, so both agree on who is revoked.
    public func revokedNodes() throws -> Set<NodeID> {
        guard let root = try networkRoot() else { return [] }
        var revoked = Set<NodeID>()
        for (key, state) in try allRecords(of: .revocation) where !state.isRemoved {
            if let node = NodeID(hex: key.id), key == Self.revocationKey(node), Self.isValidRevocation(state.values, node: node, root: root) {
                revoked.insert(node)
            }
        }
        return revoked
    }

    static func isValidRevocation(_ fields: RecordFields, node: NodeID, root: Curve25519.Signing.PublicKey) -> Bool {
        guard let text = fields["signature"]?.text, let signature = Data(base64Encoded: text) else { return false }
        return root.isValidSignature(signature, for: revocationMessage(network: root.fingerprint, node: node))
    }

    private func rootKey() throws -> NodeKey {
        guard identity.owner == .coordinator else { throw TrustError.notCoordinator }
        return try NodeKey.load(from: directory.appendingPathComponent(Self.rootKeyFileName))
    }
}
