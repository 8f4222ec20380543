import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

/// A large change set is decoded on a second thread while the writer applies the batches before it, and its
/// signatures are checked once its changes are in the transaction. These check that such a set converges like
/// the same changes sent in small sets, and that a defect found late (after many batches were applied in the
/// transaction) still refuses the whole set.
@Suite struct LargeSetApplyTests {
    let fixture: ReplicaFixture
    let coordinator: Replica
    let defence: Replica
    let justice: Replica
    /// Well above the size from which a set is decoded on a second thread (4,096 changes).
    static let changeCount = 12_000

    init() throws {
        let network = try JoinedNetwork()
        (fixture, coordinator, defence, justice) = (network.fixture, network.coordinator, network.defence, network.justice)
        try defence.write { writer in
            for index in 0..<Self.changeCount {
                let line = ["1.a", "3.d", "5.a", "5.b"][index % 4]
                try writer.set(.entry(.defence, year: 2013 + index % 4, line: line), fields: ["narrative": .text("draft \(index)")])
            }
        }
    }

    /// Everything defence holds, in one signed set.
    func wholeSet() throws -> Data {
        let outgoing = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 2 * Self.changeCount, compression: .fast))
        #expect(!outgoing.hasMore)
        #expect(outgoing.changeCount == Self.changeCount)
        return outgoing.data
    }

    /// `set` with its changes rewritten by `edit` and encoded again under the same proofs (a valid integrity
    /// trailer, as a relay could produce).
    func rewritten(_ set: Data, _ edit: (inout [Change]) -> Void) throws -> Data {
        var decoded = try ChangeSetFormat.decode(set, sender: "test")
        edit(&decoded.changes)
        return try ChangeSetFormat.encode(
            decoded.changes, owners: [defence.nodeID: "defence"], sender: coordinator.nodeID, datasetID: defence.identity.datasetID,
            proofs: Dictionary(uniqueKeysWithValues: decoded.header.origins.map { ($0.node, $0.proof) }))
    }

    func expectRefusedWhole(_ data: Data, _ comment: Comment, where matches: (ReplicaError) -> Bool) throws {
        let digest = try justice.canonicalExport().digest()
        let clock = try justice.clock()
        let error = #expect(throws: ReplicaError.self, comment) { try justice.apply(changeSet: data, from: "test") }
        if let error { #expect(matches(error), "\(comment): \(error)") }
        #expect(try justice.canonicalExport().digest() == digest, comment)
        #expect(try justice.clock() == clock, comment)
    }

    @Test func aLargeSetConvergesLikeTheSameChangesInSmallSets() throws {
        // Given the coordinator fed in chunks of 1,000 and justice fed the whole set at once
        try defence.push(to: coordinator, chunk: 1_000)
        let report = try justice.apply(changeSet: try wholeSet(), from: "test")
        // Then both hold every change and the same data
        #expect(report.applied == Self.changeCount)
        #expect(try justice.clock()[defence.nodeID] == UInt64(Self.changeCount))
        #expect(try justice.canonicalExport().digest() == coordinator.canonicalExport().digest())
        #expect(try justice.canonicalExport().digest() == defence.canonicalExport().digest())
        // And applying it again changes nothing
        #expect(try justice.apply(changeSet: try wholeSet(), from: "test").alreadyKnown == Self.changeCount)
        // And both replicas check sound, their logs cut into blocks differently
        #expect(try justice.consistencyProblems() == [])
        #expect(try coordinator.consistencyProblems() == [])
    }

    @Test func aForgedValueAtTheEndOfALargeSetRefusesTheWholeSet() throws {
        let honest = try wholeSet()
        let forged = try rewritten(honest) { changes in
            changes[changes.count - 1].assignments = [Assignment(field: "narrative", value: .text("forged"))]
        }
        try expectRefusedWhole(forged, "forged last value") { error in
            if case .badSignature = error { true } else { false }
        }
        #expect(try justice.apply(changeSet: honest, from: "test").applied == Self.changeCount)
    }

    @Test func aForbiddenWriteAtTheEndOfALargeSetRefusesTheWholeSet() throws {
        let forged = try rewritten(try wholeSet()) { changes in
            changes[changes.count - 1].record = .entry(.justice, year: 2014, line: "1.a")
        }
        try expectRefusedWhole(forged, "defence writing a justice record") { error in
            if case .forbiddenWrite = error { true } else { false }
        }
    }
}
