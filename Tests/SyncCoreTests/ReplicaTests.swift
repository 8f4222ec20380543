import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

@Suite struct ReplicaTests {
    let fixture: ReplicaFixture
    init() throws { fixture = try ReplicaFixture() }

    let key = RecordKey.entry(.defence, year: 2014, line: "4.a")

    @Test func localWritesAreTrackedChangesWithSequenceAndClock() throws {
        let replica = try fixture.make(.defence)
        let first = try #require(try replica.set(key, fields: ["status": .text("ongoing"), "narrative": .text("x")]))
        let second = try #require(try replica.set(key, fields: ["status": .text("done"), "narrative": .text("x")]))
        #expect(first.seq == 1)
        #expect(second.seq == 2)
        #expect(second.assignments == [Assignment(field: "status", value: .text("done"))], "an unchanged field makes no change")
        #expect(second.supersedes == [first.dot])
        #expect(second.time > first.time)
        #expect(try replica.clock()[replica.nodeID] == 2)
        #expect(try replica.set(key, fields: ["status": .text("done")]) == nil)
    }

    @Test func aNodeWritesOnlyItsOwnRecords() throws {
        let replica = try fixture.make(.defence)
        #expect(throws: ReplicaError.self) {
            try replica.set(.entry(.justice, year: 2014, line: "4.a"), fields: ["status": .text("done")])
        }
        #expect(try replica.clock().count == 0, "a refused write records nothing")
    }

    @Test func changesTravelThroughAnIntermediaryWithOriginPreserved() throws {
        let defence = try fixture.make(.defence)
        let coordinator = try fixture.make(.coordinator)
        let justice = try fixture.make(.justice)
        try defence.set(key, fields: ["status": .text("done")])
        try defence.push(to: coordinator)
        try coordinator.push(to: justice)
        #expect(try justice.clock()[defence.nodeID] == 1)
        #expect(try justice.canonicalExport().digest() == defence.canonicalExport().digest())
    }

    @Test func aRelayHandsOnChangesOfSeveralOriginsChunkByChunkInItsApplyOrder() throws {
        // Given a coordinator that received three departments' changes interleaved, one change set at a time
        let coordinator = try fixture.make(.coordinator)
        let names = [Department.defence, .justice, .equality]
        let departments = try names.map { try fixture.make($0) }
        for round in 0..<5 {
            for (name, department) in zip(names, departments) {
                try department.set(.entry(name, year: 2014, line: "4.a"), fields: ["narrative": .text("round \(round)")])
                try department.push(to: coordinator)
            }
        }
        // When a new node pulls everything in one go, and another pulls it in chunks of 4
        let whole = try #require(try coordinator.changeSet(missingFrom: VectorClock(), maxChanges: 100))
        let wholeChanges = try ChangeSetFormat.decode(whole.data, sender: "test").changes
        let chunked = try fixture.make(.justice, name: "late")
        var pulled: [Change] = []
        while let chunk = try coordinator.changeSet(missingFrom: try chunked.clock(), maxChanges: 4) {
            #expect(chunk.changeCount <= 4)
            pulled += try ChangeSetFormat.decode(chunk.data, sender: "test").changes
            _ = try chunked.apply(changeSet: chunk.data)
        }
        // Then the chunks are the whole delta cut in order: the coordinator's apply order, origins interleaved
        #expect(wholeChanges.count == 15)
        #expect(pulled.map(\.dot) == wholeChanges.map(\.dot))
        #expect(Array(wholeChanges.prefix(3).map(\.origin)) == departments.map(\.nodeID))
        #expect(try chunked.canonicalExport().digest() == coordinator.canonicalExport().digest())
    }

    @Test func aChangeSetOfLongValuesStopsAtItsByteBudget() throws {
        // Given ten changes of 20,000-character narratives
        let defence = try fixture.make(.defence)
        let coordinator = try fixture.make(.coordinator)
        for year in 2013...2022 {
            try defence.set(.entry(.defence, year: year, line: "4.a"), fields: ["narrative": .text(String(repeating: "n", count: 20_000))])
        }
        // When a peer pulls them with room for 100 changes but 50,000 bytes
        var sizes: [Int] = []
        while let chunk = try defence.changeSet(missingFrom: try coordinator.clock(), maxChanges: 100, maxBytes: 50_000) {
            sizes.append(chunk.changeCount)
            #expect(chunk.hasMore == (try coordinator.clock()[defence.nodeID] + UInt64(chunk.changeCount) < 10))
            _ = try coordinator.apply(changeSet: chunk.data)
        }
        // Then each set stops at the change that passes the budget, and everything arrives
        #expect(sizes == [3, 3, 3, 1])
        #expect(try coordinator.canonicalExport().digest() == defence.canonicalExport().digest())
    }

    @Test func sessionsCompressForSpeedAndBundlesForSize() throws {
        // Given a department with a few hundred narratives
        let defence = try fixture.make(.defence)
        try defence.write { writer in
            for line in ["4.a", "4.b", "4.c", "4.d"] {
                for year in 2013...2062 {
                    try writer.set(
                        .entry(.defence, year: year, line: line),
                        fields: ["narrative": .text("Training on resolution 1325 for \(year - 2000) officers before deployment to \(line).")])
                }
            }
        }
        // When the same changes are encoded for a session and for a bundle
        let fast = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 1_000))
        let compact = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 1_000, compression: .compact))
        // Then both carry the same changes, and the bundle's form is the smaller
        let fastChanges = try ChangeSetFormat.decode(fast.data, sender: "test").changes
        #expect(fastChanges.count == 200)
        #expect(fastChanges == (try ChangeSetFormat.decode(compact.data, sender: "test").changes))
        #expect(compact.data.count < fast.data.count)
    }

    @Test func applyingTheSameChangeSetTwiceChangesNothing() throws {
        let defence = try fixture.make(.defence)
        let coordinator = try fixture.make(.coordinator)
        try defence.set(key, fields: ["status": .text("done")])
        let outgoing = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 100))
        let first = try coordinator.apply(changeSet: outgoing.data)
        let digest = try coordinator.canonicalExport().digest()
        let second = try coordinator.apply(changeSet: outgoing.data)
        #expect(first.applied == 1)
        #expect(second.applied == 0 && second.alreadyKnown == 1)
        #expect(try coordinator.canonicalExport().digest() == digest)
    }

    @Test func concurrentEditsOfOneFieldKeepTheLoserAsAConflict() throws {
        let a = try fixture.make(.defence, name: "a")
        let b = try fixture.make(.defence, name: "b")
        try a.set(key, fields: ["status": .text("ongoing")])
        try b.set(key, fields: ["status": .text("done")])
        try a.push(to: b)
        try b.push(to: a)
        let conflictsA = try a.openConflicts()
        #expect(conflictsA.count == 1)
        #expect(conflictsA == (try b.openConflicts()))
        #expect(Set([conflictsA[0].winner.value] + conflictsA[0].others.map(\.value)) == [.text("ongoing"), .text("done")])
        #expect(try a.canonicalExport().digest() == b.canonicalExport().digest())

        try a.write { try $0.resolve(key, field: "status", value: .text("done")) }
        try a.push(to: b)
        #expect(try b.openConflicts().isEmpty, "the resolution syncs and closes the conflict")
        #expect(try b.state(of: key)?.values["status"] == .text("done"))
    }

    @Test func removalAgainstAConcurrentChangeKeepsTheChangeVisible() throws {
        let a = try fixture.make(.defence, name: "a")
        let b = try fixture.make(.defence, name: "b")
        try a.set(key, fields: ["status": .text("ongoing")])
        try a.push(to: b)
        try a.write { try $0.remove(key) }
        try b.set(key, fields: ["status": .text("done")])
        try a.push(to: b)
        try b.push(to: a)
        let conflicts = try a.openConflicts()
        #expect(conflicts.map(\.kind) == [.removal])
        #expect(conflicts.first?.others.map(\.value) == [.text("done")])
        #expect(try a.canonicalExport().digest() == b.canonicalExport().digest())
        try b.write { try $0.resolve(key, field: Change.removedField, value: .bool(false)) }
        try b.push(to: a)
        #expect(try a.openConflicts().isEmpty)
        #expect(try a.state(of: key)?.isRemoved == false)
        #expect(try a.state(of: key)?.values["status"] == .text("done"))
    }
}

@Suite struct ReplicaDurabilityTests {
    @Test func anAcknowledgedWriteIsSyncedToDisk() throws {
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.defence)
        #expect(try replica.writerSettings().synchronous == 2, "PRAGMA synchronous must be FULL on the writer")
        let reopened = try Replica.open(at: replica.directory, logger: .silent)
        #expect(try reopened.writerSettings().synchronous == 2)
        #expect(try reopened.integrityProblems().isEmpty)
    }
}
