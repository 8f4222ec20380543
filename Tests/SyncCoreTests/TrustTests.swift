import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

/// Membership and signed changes: every replica of a network verifies the author of every change, whoever
/// delivered it, and refuses (and quarantines) what it cannot verify.
@Suite struct TrustTests {
    let fixture: ReplicaFixture
    let coordinator: Replica
    let defence: Replica
    let justice: Replica

    init() throws {
        let network = try JoinedNetwork()
        (fixture, coordinator, defence, justice) = (network.fixture, network.coordinator, network.defence, network.justice)
    }

    static let entry = RecordKey.entry(.defence, year: 2014, line: "1.a")

    /// Signs `changes` of `origin` as its node would, for building hostile sets.
    func signedSet(_ changes: [Change], by node: Replica, sender: NodeID? = nil, owner: String? = nil) throws -> Data {
        let key = try NodeKey.load(from: node.directory.appendingPathComponent(Replica.keyFileName))
        var chain = ChangeChain.genesis(node.nodeID)
        for change in changes { chain = ChangeChain.next(chain, ChangeChain.digest(change)) }
        let last = changes.last!.seq
        let message = ChangeChain.checkpointMessage(dataset: node.identity.datasetID, origin: node.nodeID, seq: last, chain: chain)
        let proof = ChangeSetFormat.OriginProof(
            certificate: try #require(try node.certificate(for: node.nodeID)).encoded(), checkpointSeq: last, tail: [],
            signature: try key.sign(message))
        return try ChangeSetFormat.encode(
            changes, owners: [node.nodeID: owner ?? node.identity.owner.slug], sender: sender ?? node.nodeID,
            datasetID: node.identity.datasetID, proofs: [node.nodeID: proof])
    }

    func expectRefused(_ data: Data, at replica: Replica, from label: String = "test", _ comment: Comment) throws {
        let digest = try replica.canonicalExport().digest()
        let quarantined = try replica.quarantined().count
        #expect(throws: ReplicaError.self, comment) { try replica.apply(changeSet: data, from: label) }
        #expect(try replica.canonicalExport().digest() == digest, comment)
        #expect(try replica.quarantined().count == quarantined + 1, comment)
    }

    @Test func signedChangesVerifyWhoeverRelaysThem() throws {
        try defence.set(Self.entry, fields: ["status": .text("done")])
        try defence.push(to: coordinator)
        try coordinator.push(to: justice)
        #expect(try justice.state(of: Self.entry)?.values["status"] == .text("done"))
        #expect(try justice.canonicalExport().digest() == defence.canonicalExport().digest())
    }

    @Test func chunksCutBetweenCheckpointsStillVerifyAfterRelaying() throws {
        try defence.write { writer in
            for year in 2013...2016 {
                for line in ["1.a", "3.d", "5.a", "5.b"] { try writer.set(.entry(.defence, year: year, line: line), fields: ["status": .text("ongoing")]) }
            }
        }
        try defence.push(to: coordinator, chunk: 3)
        try coordinator.push(to: justice, chunk: 5)
        #expect(try justice.clock()[defence.nodeID] == 16)
    }

    @Test func aRelayMayCutALongSignedRunFarBeforeItsCheckpoint() throws {
        // Given 6,000 changes that defence signed once, at the last, as it sent them in one chunk
        try defence.write { writer in
            for index in 0..<6_000 {
                try writer.set(.entry(.defence, year: 2013 + index % 4, line: "1.a"), fields: ["narrative": .text("draft \(index)")])
            }
        }
        try defence.push(to: coordinator, chunk: 10_000)
        // When the coordinator relays them in chunks of 1,000, the first carrying the digests of the 5,000
        // changes between its end and the checkpoint
        let applied = try coordinator.push(to: justice, chunk: 1_000)
        // Then justice verifies and applies every chunk
        #expect(applied == 6_000)
        #expect(try justice.canonicalExport().digest() == defence.canonicalExport().digest())
    }

    @Test func aForgedValueUnderAValidSignatureIsRefused() throws {
        let change = try #require(try defence.set(Self.entry, fields: ["status": .text("done")]))
        let honest = try signedSet([change], by: defence)
        var decoded = try ChangeSetFormat.decode(honest, sender: "test")
        decoded.changes[0].assignments = [Assignment(field: "status", value: .text("planned"))]
        let forged = try ChangeSetFormat.encode(
            decoded.changes, owners: [defence.nodeID: "defence"], sender: coordinator.nodeID, datasetID: defence.identity.datasetID,
            proofs: [defence.nodeID: decoded.header.origins[0].proof])
        try expectRefused(forged, at: justice, "tampered payload with a recomputed integrity trailer")
        #expect(try justice.apply(changeSet: honest, from: "test").applied > 0)
        #expect(try justice.state(of: Self.entry)?.values["status"] == .text("done"))
    }

    @Test func unsignedAndUncertifiedChangesAreRefused() throws {
        let change = try #require(try defence.set(Self.entry, fields: ["status": .text("done")]))
        let unsigned = try ChangeSetFormat.encode([change], owners: [defence.nodeID: "defence"], sender: defence.nodeID, datasetID: defence.identity.datasetID)
        try expectRefused(unsigned, at: justice, "unsigned")
        let outsider = try fixture.make(.defence, name: "outsider")
        let foreign = try #require(try outsider.set(Self.entry, fields: ["status": .text("planned")]))
        let uncertified = try ChangeSetFormat.encode([foreign], owners: [outsider.nodeID: "defence"], sender: outsider.nodeID, datasetID: outsider.identity.datasetID)
        try expectRefused(uncertified, at: coordinator, "a node that never joined")
    }

    @Test func aDefenceNodeWritingAJusticeRecordIsRefusedDirectlyAndRelayed() throws {
        let forged = Change(
            origin: defence.nodeID, seq: 1, time: 1, record: .entry(.justice, year: 2014, line: "1.a"),
            assignments: [Assignment(field: "status", value: .text("done"))], supersedes: [])
        try expectRefused(try signedSet([forged], by: defence), at: justice, "direct")
        try expectRefused(try signedSet([forged], by: defence, sender: coordinator.nodeID), at: justice, from: "coordinator", "relayed")
        try expectRefused(try signedSet([forged], by: defence, owner: "justice"), at: justice, "claiming to be justice")
    }

    @Test func aRevokedNodeIsRefusedEverywhereTheRevocationReaches() throws {
        try defence.set(Self.entry, fields: ["status": .text("ongoing")])
        try defence.push(to: coordinator)
        try coordinator.revoke(defence.nodeID, reason: "laptop stolen")
        try coordinator.push(to: justice)
        try defence.set(Self.entry, fields: ["status": .text("done")])
        let late = try #require(try defence.changeSet(missingFrom: try justice.clock(), maxChanges: 100))
        try expectRefused(late.data, at: justice, "revoked, at a department")
        try expectRefused(late.data, at: coordinator, "revoked, at the coordinator")
        #expect(try justice.revokedNodes() == [defence.nodeID])
    }

    @Test func aMembershipOfNoDaysOrCenturiesIsRefused() throws {
        for days in [0, -1, 36_501, Int.max] {
            #expect(throws: TrustError.self, "\(days)") { try coordinator.admit(try justice.joinRequest(), validForDays: days) }
        }
        _ = try coordinator.admit(try justice.joinRequest(), validForDays: 36_500)
    }

    @Test func revokingTwiceForTheSameReasonChangesNothing() throws {
        #expect(try coordinator.revoke(defence.nodeID, reason: "laptop stolen") != nil)
        #expect(try coordinator.revoke(defence.nodeID, reason: "laptop stolen") == nil)
        #expect(try coordinator.revoke(defence.nodeID, reason: "laptop stolen, and its backup") != nil)
        #expect(try coordinator.revokedNodes() == [defence.nodeID])
    }

    @Test func aRevocationCountsOnlyUnderTheKeyTheSyncPathChecks() throws {
        // Given a validly signed revocation of defence, moved by the coordinator to its id in upper case
        try coordinator.revoke(defence.nodeID, reason: "laptop stolen")
        let canonical = RecordKey(kind: .revocation, owner: .coordinator, id: defence.nodeID.hex)
        let fields = try #require(try coordinator.state(of: canonical)).values
        try coordinator.remove(canonical)
        try coordinator.set(RecordKey(kind: .revocation, owner: .coordinator, id: defence.nodeID.hex.uppercased()), fields: fields)
        // Then no part of the replica takes defence for revoked: neither the list the HTTP layer checks, nor the
        // sync path, which still applies defence's changes
        #expect(try coordinator.revokedNodes().isEmpty)
        try defence.set(Self.entry, fields: ["status": .text("ongoing")])
        try defence.push(to: coordinator)
        #expect(try coordinator.state(of: Self.entry)?.values["status"] == .text("ongoing"))
    }

    @Test func admissionChecksProofOfKeyAndNetwork() throws {
        var request = try defence.joinRequest()
        request.owner = "justice"
        #expect(throws: TrustError.self) { try coordinator.admit(request) }
        let otherCoordinator = try fixture.make(.coordinator, name: "other")
        try otherCoordinator.createNetwork()
        let foreignAdmission = try otherCoordinator.admit(try defence.joinRequest())
        #expect(throws: TrustError.self, "a node stays in the network it joined") { try defence.install(foreignAdmission) }
        #expect(throws: TrustError.self, "only the coordinator admits") { try justice.admit(try defence.joinRequest()) }
    }

    @Test func privateKeysAreReadableByTheirOwnerOnly() throws {
        for file in [defence.directory.appendingPathComponent(Replica.keyFileName), coordinator.directory.appendingPathComponent(Replica.rootKeyFileName)] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.posixPermissions] as? NSNumber)
            #expect(mode.intValue & 0o777 == 0o600, "\(file.lastPathComponent)")
        }
        let file = defence.directory.appendingPathComponent(Replica.keyFileName)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: file.path)
        #expect(throws: TrustError.self) { try NodeKey.load(from: file) }
    }
}
