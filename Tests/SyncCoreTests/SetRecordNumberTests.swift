import Foundation
import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// The writer finds a received change's record by the number its change set gives the record (protocol.md
/// §2.2) rather than by hashing the key. Numbers belong to one set: these check that a bundle's sets, applied in
/// one transaction, do not read each other's numbers, and that a set naming one record under two numbers still
/// applies everything to that one record.
@Suite struct SetRecordNumberTests {
    let fixture: ReplicaFixture
    let first = RecordKey.entry(.defence, year: 2014, line: "1.a")
    let second = RecordKey.entry(.defence, year: 2014, line: "3.d")

    init() throws { fixture = try ReplicaFixture() }

    @Test func eachSetOfABundleFindsItsRecordsByItsOwnNumbers() throws {
        // Given defence's changes in two sets that number the same two records the other way round
        let defence = try fixture.make(.defence)
        try defence.set(first, fields: ["narrative": .text("first, created")])
        try defence.set(second, fields: ["narrative": .text("second, created")])
        try defence.set(second, fields: ["narrative": .text("second, edited")])
        try defence.set(first, fields: ["narrative": .text("first, edited")])
        let opening = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 2))
        let closing = try #require(try defence.changeSet(missingFrom: opening.peerClockAfter, maxChanges: 2))
        #expect(!closing.hasMore)
        for set in [opening.data, closing.data] {
            let numbered = try ChangeSetFormat.decode(set, sender: "test").changes.map(\.record)
            #expect(Set(numbered) == [first, second])
        }
        // When justice applies both sets in one transaction
        let justice = try fixture.make(.justice)
        var sets = [opening.data, closing.data]
        let report = try justice.apply(changeSets: { sets.isEmpty ? nil : sets.removeFirst() }, from: "test")
        // Then each edit reached its own record
        #expect(report.applied == 4)
        #expect(try justice.state(of: first)?.values["narrative"] == .text("first, edited"))
        #expect(try justice.state(of: second)?.values["narrative"] == .text("second, edited"))
        #expect(try justice.canonicalExport().digest() == defence.canonicalExport().digest())
    }

    @Test func aRecordNamedUnderTwoNumbersIsOneRecord() throws {
        // Given two changes to two fields of one record, passed to the writer as a set that introduced the key twice would
        let replica = try fixture.make(.defence)
        var created = Change(
            origin: replica.nodeID, seq: 1, time: 1_000, record: first,
            assignments: [Assignment(field: "narrative", value: .text("created"))], supersedes: [])
        var completed = Change(
            origin: replica.nodeID, seq: 2, time: 1_001, record: first,
            assignments: [Assignment(field: "status", value: .text("done"))], supersedes: [])
        _ = try replica.transaction { transaction in
            transaction.beginChangeSet(changeCount: 2)
            _ = try transaction.origins.index(of: replica.nodeID, owner: "defence", db: transaction.db)
            try transaction.record(&created, digest: ChangeChain.digest(created), recordNumber: 0, local: true)
            try transaction.record(&completed, digest: ChangeChain.digest(completed), recordNumber: 1, local: true)
        }
        // Then the one record holds what both changes wrote
        let state = try #require(try replica.state(of: first))
        #expect(state.values == ["narrative": .text("created"), "status": .text("done")])
        #expect(try replica.canonicalExport().records.count == 1)
    }
}
