import Foundation
import GRDB
import NAPModel
import SyncCore
import TestSupport
import Testing

/// A replica whose stored data contradicts itself (a damaged file, or one edited by hand) says so, with what to
/// do, and does not blame a peer for it.
@Suite struct DamagedReplicaTests {
    let fixture: ReplicaFixture
    let record = RecordKey.entry(.defence, year: 2014, line: "1.a")

    init() throws { fixture = try ReplicaFixture() }

    @Test func aStateNamingAnUnknownOriginIsReportedAsDamageWithWhatToDo() throws {
        // Given a record written before the replica was damaged
        let defence = try fixture.make(.defence)
        try defence.set(record, fields: ["narrative": .text("written")])
        try ReplicaDamage.renumberOrigins(inReplicaAt: defence.directory)
        // When it is read
        let error = #expect(throws: ReplicaError.self) { try defence.state(of: self.record) }
        // Then the error names what is inconsistent and what to do
        guard case .damagedReplica(let reason) = error else {
            Issue.record("expected damagedReplica, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("local origin 1,"))
        #expect(error?.description.contains("restore the replica from a backup") == true)
    }

    @Test func aWriteToARecordWhoseStateNamesAnUnknownOriginIsRefusedAsDamage() throws {
        // Given a record written before the replica was damaged
        let defence = try fixture.make(.defence)
        try defence.set(record, fields: ["narrative": .text("written")])
        try ReplicaDamage.renumberOrigins(inReplicaAt: defence.directory)
        // When another of its fields is written, then the write is refused as damage and writes nothing
        let error = #expect(throws: ReplicaError.self) { try defence.set(self.record, fields: ["status": .text("done")]) }
        guard case .damagedReplica = error else {
            Issue.record("expected damagedReplica, got \(String(describing: error))")
            return
        }
    }

    /// Justice holding defence's one change, its replica then edited behind its back by `sql`, which is given
    /// defence's node id as its argument.
    func justiceHoldingDefencesChange(editedWith sql: String) throws -> (defence: Replica, justice: Replica) {
        let defence = try fixture.make(.defence)
        let justice = try fixture.make(.justice)
        try defence.set(record, fields: ["narrative": .text("written")])
        try defence.push(to: justice)
        let queue = try DatabaseQueue(path: justice.directory.appendingPathComponent(Replica.databaseFileName).path)
        try queue.write { db in try db.execute(sql: sql, arguments: [defence.nodeID.hex]) }
        try queue.close()
        return (defence, justice)
    }

    @Test func aNegativeSequenceNumberInTheOriginTableIsReportedAsDamageNotACrash() throws {
        // Given justice holding a record of defence's, whose origin row is then edited to a negative count
        let (_, justice) = try justiceHoldingDefencesChange(editedWith: "UPDATE origin SET seq = -5 WHERE node_id = ?")
        // When its clock is read, then the replica reports damage with what to do
        let error = #expect(throws: ReplicaError.self) { try justice.clock() }
        guard case .damagedReplica(let reason) = error else {
            Issue.record("expected damagedReplica, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("negative sequence number"))
    }

    @Test func aNegativeSequenceNumberInTheChangeLogIsReportedAsDamage() throws {
        // Given justice holding defence's one change, its block then edited to end at a negative number
        let (_, justice) = try justiceHoldingDefencesChange(
            editedWith: "UPDATE change_block SET last_seq = -3 WHERE origin = (SELECT idx FROM origin WHERE node_id = ?)")
        // When its clock is read, then it reports damage
        #expect(throws: ReplicaError.self) { try justice.clock() }
    }

    @Test func twoBlocksEndingAtTheSameChangeListTheirOriginOnce() throws {
        // Given justice holding defence's one change, its block then stored twice (damage: blocks never overlap)
        let (defence, justice) = try justiceHoldingDefencesChange(
            editedWith: """
                INSERT INTO change_block (origin, first_seq, last_seq, last_time, chain, changes)
                SELECT origin, first_seq - 1, last_seq, last_time + 1, chain, changes FROM change_block
                WHERE origin = (SELECT idx FROM origin WHERE node_id = ?)
                """)
        // When its clock is read, then defence has one entry, at its one change
        let clock = try justice.clock()
        #expect(clock.entries.filter { $0.key == defence.nodeID }.map(\.value) == [1])
    }

    @Test func aCheckFindsNothingInASoundReplicaAndNamesEachInconsistencyInADamagedOne() throws {
        // Given justice holding its own record and one of defence's
        let defence = try fixture.make(.defence)
        let justice = try fixture.make(.justice)
        let own = RecordKey.entry(.justice, year: 2015, line: "3.d")
        try defence.set(record, fields: ["narrative": .text("written")])
        try justice.set(own, fields: ["status": .text("done")])
        try defence.push(to: justice)
        // Then a check finds nothing
        #expect(try justice.consistencyProblems() == [])
        // When its origins are renumbered behind its back
        try ReplicaDamage.renumberOrigins(inReplicaAt: justice.directory)
        // Then the check names both records, the changes defence's clock entry counts, and the log's orphans
        let problems = try justice.consistencyProblems()
        #expect(problems.contains { $0.hasPrefix("record \(record):") }, "\(problems)")
        #expect(problems.contains { $0.hasPrefix("record \(own):") }, "\(problems)")
        #expect(problems.contains("node \(defence.nodeID.short) (defence): the change log lacks changes 1 to 1"), "\(problems)")
        for index in [1, 2] {
            #expect(problems.contains("the change log holds changes of local origin \(index), which the origin table does not hold"), "\(problems)")
        }
    }

    @Test func aCheckFindsBytesAfterAStatesLastField() throws {
        // Given justice holding its own record, then a byte appended to its stored state behind its back
        let justice = try fixture.make(.justice)
        let own = RecordKey.entry(.justice, year: 2015, line: "3.d")
        try justice.set(own, fields: ["status": .text("done")])
        try ReplicaDamage.appendByte(toStateOf: own, inReplicaAt: justice.directory)
        // Then a check names the record, and a write to it is refused as damage instead of dropping the byte
        let problems = try justice.consistencyProblems()
        #expect(problems.count == 1, "\(problems)")
        #expect(problems.first?.hasPrefix("record \(own): a stored record state has bytes left over after its last field (1 of ") == true, "\(problems)")
        #expect(throws: ReplicaError.self) { try justice.set(own, fields: ["status": .text("ongoing")]) }
    }

    @Test func aCheckFindsAChangedValueAndAChangedChainValueInTheLog() throws {
        // Given defence's replica, whose log holds its two changes, then edited behind its back: a value of the
        // first change rewritten in place, and the chain value stored after the second replaced
        let defence = try fixture.make(.defence)
        try defence.set(record, fields: ["narrative": .text("written")])
        try defence.set(RecordKey.entry(.defence, year: 2015, line: "1.a"), fields: ["narrative": .text("later")])
        #expect(try defence.consistencyProblems() == [])
        let path = defence.directory.appendingPathComponent(Replica.databaseFileName).path
        try DatabaseQueue(path: path).write { db in
            let (id, changes) = try #require(
                try Row.fetchOne(db, sql: "SELECT id, changes FROM change_block WHERE first_seq = 1").map { ($0["id"] as Int64, [UInt8]($0["changes"] as Data)) })
            let written = Array("written".utf8)
            let at = try #require(changes.indices.first { changes[$0...].starts(with: written) })
            var edited = changes
            edited[at] = UInt8(ascii: "W")
            try db.execute(sql: "UPDATE change_block SET changes = ? WHERE id = ?", arguments: [Data(edited), id])
        }
        // Then the check names the change whose content no longer matches its digest
        #expect(try defence.consistencyProblems() == ["node \(defence.nodeID.short) (defence): change 1 does not match the digest stored with it"])
        // When the value is put back and the chain value after change 2 is replaced instead
        try DatabaseQueue(path: path).write { db in
            let changes = try #require(try Data.fetchOne(db, sql: "SELECT changes FROM change_block WHERE first_seq = 1"))
            let written = Array("Written".utf8)
            var bytes = [UInt8](changes)
            let at = try #require(bytes.indices.first { bytes[$0...].starts(with: written) })
            bytes[at] = UInt8(ascii: "w")
            try db.execute(sql: "UPDATE change_block SET changes = ? WHERE first_seq = 1", arguments: [Data(bytes)])
            try db.execute(sql: "UPDATE change_block SET chain = zeroblob(32) WHERE last_seq = 2")
        }
        // Then the check names the chain value that does not follow
        #expect(
            try defence.consistencyProblems()
                == ["node \(defence.nodeID.short) (defence): the chain value stored after change 2 does not follow from the changes"])
    }

    @Test func theReplicasOwnFailuresAreToldApartFromRefusals() {
        #expect(ReplicaError.isLocalFailure(DatabaseError(resultCode: .SQLITE_FULL)))
        #expect(ReplicaError.isLocalFailure(ReplicaError.damagedReplica(reason: "a test")))
        #expect(!ReplicaError.isLocalFailure(ReplicaError.malformedChangeSet(sender: "a test", reason: "a test")))
        #expect(!ReplicaError.isLocalFailure(ReplicaError.sequenceGap(sender: "a test", origin: NodeID.random(), expected: 2, found: 3)))
    }

    @Test func aSetArrivingAtADamagedReplicaIsRefusedButNotQuarantined() throws {
        // Given justice holding defence's record, then damaged, and defence's edit of that record
        let (justice, clockBefore, set) = try fixture.damagedReceiver(of: record)
        // When the edit arrives, then it is refused as damage, not as the sender's fault: no quarantine, nothing
        // applied
        #expect {
            try justice.apply(changeSet: set, from: "defence")
        } throws: { error in
            guard case ReplicaError.damagedReplica = error else { return false }
            return true
        }
        #expect(try justice.quarantined().isEmpty)
        #expect(try justice.clock() == clockBefore)
    }
}
