import Foundation
import GRDB
import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// The write path keeps the origin directory, hybrid time and chain values of the last committed transaction
/// for the next one. These tests write around it: through another connection, and through a rolled-back
/// bundle, and check that the next write still sees the database as it is.
@Suite struct WriterSnapshotTests {
    let fixture: ReplicaFixture
    init() throws { fixture = try ReplicaFixture() }

    let key = RecordKey.entry(.defence, year: 2014, line: "4.a")

    @Test func aCommittedWriteLeavesItsSnapshotForTheNextTransaction() throws {
        // Given a replica that has written twice
        let replica = try fixture.make(.defence)
        try replica.set(key, fields: ["status": .text("ongoing")])
        try replica.set(key, fields: ["status": .text("done")])
        // Then its writer connection holds what the last commit left: the clock at 2
        let snapshot = try replica.database.writeWithoutTransaction { db in try WriterSnapshotCache.snapshot(for: db).snapshot }
        #expect(snapshot?.origins.seq(of: replica.nodeID) == 2)
    }

    @Test func aWriteThroughAnotherConnectionIsSeenByTheNextTransaction() throws {
        // Given a replica that has written, and a second handle (its own pool) on the same files
        let first = try fixture.make(.defence, name: "shared")
        try first.set(key, fields: ["status": .text("ongoing")])
        let second = try Replica.open(at: fixture.directory.appending("shared"), logger: .silent)
        // When the second handle writes, then the first writes again
        let other = try #require(try second.set(key, fields: ["status": .text("done")]))
        let next = try #require(try first.set(key, fields: ["status": .text("reviewed")]))
        // Then the first continues the sequence and the causal context the second left
        #expect(other.seq == 2)
        #expect(next.seq == 3)
        #expect(next.supersedes == [other.dot])
        #expect(try first.clock()[first.nodeID] == 3)
        #expect(try first.state(of: key)?.values["status"] == .text("reviewed"))
    }

    @Test func aRefusedBundleLeavesNoTraceInTheNextTransaction() throws {
        // Given a coordinator and two change sets from a department, the second one refused (a gap)
        let defence = try fixture.make(.defence)
        let coordinator = try fixture.make(.coordinator)
        try defence.set(key, fields: ["status": .text("ongoing")])
        let firstSet = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 10)).data
        try defence.set(key, fields: ["status": .text("done")])
        try defence.set(key, fields: ["status": .text("reviewed")])
        var afterFirst = VectorClock()
        afterFirst[defence.nodeID] = 2
        let gapSet = try #require(try defence.changeSet(missingFrom: afterFirst, maxChanges: 10)).data
        // When both are applied as one bundle: the first is flushed, then the second refused and all rolled back
        var sets = [firstSet, gapSet]
        #expect(throws: ReplicaError.self) {
            try coordinator.apply(changeSets: { sets.isEmpty ? nil : sets.removeFirst() }, from: "bundle")
        }
        // Then the coordinator holds nothing from defence, and applying in order still works
        #expect(try coordinator.clock()[defence.nodeID] == 0)
        #expect(try coordinator.apply(changeSet: firstSet).applied == 1)
        let all = try #require(try defence.changeSet(missingFrom: try coordinator.clock(), maxChanges: 10)).data
        #expect(try coordinator.apply(changeSet: all).applied == 2)
        #expect(try coordinator.canonicalExport().digest() == defence.canonicalExport().digest())
    }
}
