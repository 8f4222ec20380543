import Crypto
import Foundation
import Logging
import GRDB
import NAPModel

/// Signing what a node sends and verifying what it receives. A replica that has joined a network (it has a
/// pinned root key) refuses any change whose author it cannot verify, whoever relayed it.
extension Replica {
    /// For each origin sent, up to `lastSeqs[origin]`: its certificate and the first checkpoint at or after its
    /// last change sent, with the digests that link the two.
    func proofs(lastSeqs: [NodeID: UInt64], origins: OriginDirectory, db: Database) throws -> [NodeID: ChangeSetFormat.OriginProof] {
        var proofs: [NodeID: ChangeSetFormat.OriginProof] = [:]
        for (node, lastSeq) in lastSeqs {
            guard let index = origins.index(of: node) else { continue }
            var proof = ChangeSetFormat.OriginProof()
            proof.certificate = try Data.fetchOne(db, sql: "SELECT body FROM certificate WHERE node_id = ?", arguments: [node.hex]) ?? Data()
            if node == identity.nodeID, let signer {
                // Our own changes: sign the chain exactly at the last one sent.
                let chain = try ChangeLog.chain(after: lastSeq, of: node, origin: index, db: db)
                proof.checkpointSeq = lastSeq
                proof.signature = try signer.sign(
                    ChangeChain.checkpointMessage(dataset: identity.datasetID, origin: node, seq: lastSeq, chain: chain))
            } else if let checkpoint = try Row.fetchOne(
                db, sql: "SELECT seq, signature, tail_from, tail FROM checkpoint WHERE origin = ? AND seq >= ? ORDER BY seq LIMIT 1",
                arguments: [index, Int64(lastSeq)])
            {
                let seq = UInt64(checkpoint["seq"] as Int64)
                let held = origins.seq(of: node)
                // A digest that does not read back as 32 bytes leaves the tail short, and the proof unattached.
                var tail = try ChangeLog.digests(origin: index, after: lastSeq, through: min(seq, held), db: db)
                if seq > held {
                    // Digests of changes not held here, kept from the chunk that brought the checkpoint.
                    let tailFrom = UInt64(checkpoint["tail_from"] as Int64)
                    let stored: Data = checkpoint["tail"]
                    for k in (held + 1)...seq where k >= tailFrom {
                        let offset = Int(k - tailFrom) * 32
                        guard offset + 32 <= stored.count, let digest = ChainHash(stored.subdata(in: offset..<(offset + 32)))
                        else { break }
                        tail.append(digest)
                    }
                }
                if UInt64(tail.count) == seq - lastSeq {
                    proof.checkpointSeq = seq
                    proof.tail = tail
                    proof.signature = checkpoint["signature"]
                }
            }
            proofs[node] = proof
        }
        return proofs
    }

    /// An origin of a change set whose signature is checked once its changes are applied (see `checkOrigins`).
    struct PendingSignature {
        var range: ChangeSetFormat.OriginRange
        /// The verified membership certificate; nil on a replica that has not joined a network.
        var certificate: MembershipCertificate?
    }

    /// Checks, before any change of the set is applied, every origin that brings changes this replica lacks: its
    /// certificate (signed by the pinned root, for this node and owner, valid now), that it is not revoked,
    /// that the set is signed at a consistent checkpoint, and that its range starts where this replica stands.
    /// Returns the origins whose signature `verifySignatures` checks once their changes are in the transaction.
    func checkOrigins(
        _ header: ChangeSetFormat.Header, from label: String, in transaction: inout ReplicaTransaction, now: Date
    ) throws -> [PendingSignature] {
        let root = try Self.networkRoot(transaction.db)
        var pending: [PendingSignature] = []
        for range in header.origins where range.count > 0 {
            let node = range.node
            let proof = range.proof
            let held = transaction.origins.seq(of: node)
            guard range.lastSeq > held else { continue }  // nothing new from this origin
            var certificate: MembershipCertificate?
            if let root {
                guard !proof.certificate.isEmpty else {
                    throw ReplicaError.untrustedOrigin(sender: label, origin: node, reason: "no membership certificate")
                }
                switch Self.checkCertificate(proof.certificate, root: root, now: now) {
                case .success(let valid): certificate = valid
                case .failure(let error): throw ReplicaError.untrustedOrigin(sender: label, origin: node, reason: error.description)
                }
                guard certificate?.node == node, certificate?.owner == range.owner else {
                    throw ReplicaError.untrustedOrigin(sender: label, origin: node, reason: "its certificate is for another node or owner")
                }
                let revocation = try transaction.state(of: Self.revocationKey(node))
                if revocation.exists, !revocation.isRemoved, Self.isValidRevocation(revocation.values, node: node, root: root) {
                    throw ReplicaError.revokedOrigin(sender: label, origin: node)
                }
                guard !proof.signature.isEmpty else { throw ReplicaError.badSignature(sender: label, origin: node, reason: "unsigned") }
            }
            guard !proof.signature.isEmpty else { continue }  // an open replica relays unsigned changes as they are
            let (checkpoint, overflow) = range.lastSeq.addingReportingOverflow(UInt64(proof.tail.count))
            guard !overflow, proof.checkpointSeq == checkpoint else {
                throw ReplicaError.badSignature(sender: label, origin: node, reason: "signed at an inconsistent checkpoint")
            }
            guard range.firstSeq <= held + 1 else {
                throw ReplicaError.sequenceGap(sender: label, origin: node, expected: held + 1, found: range.firstSeq)
            }
            pending.append(PendingSignature(range: range, certificate: certificate))
        }
        return pending
    }

    /// Checks each pending origin's signature once the set's changes are applied in `transaction`, which then
    /// holds the chain value after the origin's last change in the set (the replica computes it as it appends
    /// each change), and stores the proof so that this replica can relay the changes with it. A mismatch
    /// throws, and the caller rolls the whole transaction back: nothing of the set is applied.
    func verifySignatures(
        _ pending: [PendingSignature], datasetID: String, from label: String, in transaction: inout ReplicaTransaction
    ) throws {
        for origin in pending {
            let node = origin.range.node
            let proof = origin.range.proof
            var chain = try transaction.chain(at: origin.range.lastSeq, of: node)
            for digest in proof.tail { chain = ChangeChain.next(chain, digest) }
            let message = ChangeChain.checkpointMessage(dataset: datasetID, origin: node, seq: proof.checkpointSeq, chain: chain)
            if let certificate = origin.certificate {
                guard let key = Curve25519.Signing.PublicKey.parse(base64: certificate.publicKey), key.isValidSignature(proof.signature, for: message)
                else { throw ReplicaError.badSignature(sender: label, origin: node, reason: "not signed by their origin") }
                try transaction.db.execute(
                    sql: "INSERT OR REPLACE INTO certificate (node_id, body) VALUES (?, ?)", arguments: [node.hex, proof.certificate])
            } else if !proof.certificate.isEmpty {
                try transaction.db.execute(
                    sql: "INSERT OR IGNORE INTO certificate (node_id, body) VALUES (?, ?)", arguments: [node.hex, proof.certificate])
            }
            guard let index = transaction.origins.index(of: node) else {
                throw ReplicaError.damagedReplica(reason: "node \(node.short) has no local origin index, although its checkpoint is being stored")
            }
            try transaction.storeCheckpoint(
                origin: index, seq: proof.checkpointSeq, signature: proof.signature, tailFrom: origin.range.lastSeq + 1,
                tail: proof.tail.reduce(into: Data()) { $0.append($1.data) })
        }
    }

    private static func checkCertificate(_ data: Data, root: Curve25519.Signing.PublicKey, now: Date) -> Result<MembershipCertificate, TrustError> {
        Result { () throws(TrustError) -> MembershipCertificate in
            let certificate = try MembershipCertificate.decode(data)
            _ = try certificate.verify(root: root, at: now)
            return certificate
        }
    }

    /// Keeps a refused change set for inspection, in its own transaction (the refused one rolled back).
    func quarantine(_ data: Data, from label: String, reason: String) {
        do {
            try database.write { db in
                try db.execute(
                    sql: "INSERT INTO quarantine (received, sender, reason, data) VALUES (?, ?, ?, ?)",
                    arguments: [Date().timeIntervalSince1970, label, reason, data])
                // Bound the space refused input can take: keep the latest 200.
                try db.execute(sql: "DELETE FROM quarantine WHERE id <= (SELECT max(id) - 200 FROM quarantine)")
            }
        } catch {
            logger.error("could not quarantine a refused change set", metadata: ["napsync.peer": "\(label)", "napsync.error": "\(error)"])
        }
    }

    /// A refused change set kept for inspection.
    public struct QuarantinedSet: Sendable, Codable {
        public var id: Int64
        public var received: Date
        public var sender: String
        public var reason: String
        public var bytes: Int
    }

    public func quarantined() throws -> [QuarantinedSet] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT id, received, sender, reason, length(data) AS bytes FROM quarantine ORDER BY id").map {
                QuarantinedSet(id: $0["id"], received: Date(timeIntervalSince1970: $0["received"]), sender: $0["sender"], reason: $0["reason"], bytes: $0["bytes"])
            }
        }
    }

    /// The raw bytes of a quarantined set, to inspect with `ChangeSetFormat.decode`.
    public func quarantinedData(_ id: Int64) throws -> Data? {
        try database.read { db in try Data.fetchOne(db, sql: "SELECT data FROM quarantine WHERE id = ?", arguments: [id]) }
    }
}

extension ReplicaTransaction {
    /// The chain value after `origin`'s change `seq` (the genesis value for 0).
    mutating func chain(at seq: UInt64, of origin: NodeID) throws -> ChainHash {
        if seq == origins.seq(of: origin) { return try chain(of: origin) }
        guard seq > 0 else { return ChangeChain.genesis(origin) }
        guard let index = origins.index(of: origin) else {
            throw ReplicaError.damagedReplica(reason: "node \(origin.short) has no local origin index, although the replica holds its change \(seq)")
        }
        try writeBlock()
        return try ChangeLog.chain(after: seq, of: origin, origin: index, db: db)
    }
}
