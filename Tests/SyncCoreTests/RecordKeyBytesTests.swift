import Foundation
import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// The replica keys records by the UTF-8 bytes of their keys. Two ids that are one text to Swift's `String` but
/// differ in bytes are two records, in the table and in a transaction's working set alike.
@Suite struct RecordKeyBytesTests {
    let composed = RecordKey(kind: .intervention, owner: .department(.defence), id: "caf\u{E9}")
    let decomposed = RecordKey(kind: .intervention, owner: .department(.defence), id: "cafe\u{301}")

    @Test func keysThatDifferInBytesDiffer() {
        #expect(composed.description == decomposed.description)  // one text to String
        #expect(composed != decomposed)
        #expect(Set([composed, decomposed]).count == 2)
        // Ordered as the table orders them: by bytes (0x65 'e' before 0xC3, the first byte of the composed é).
        #expect(decomposed < composed)
        #expect(!(composed < decomposed))
        let copy = RecordKey(composed.description)
        #expect(copy == composed)
        #expect(copy.map { [composed: 1][$0] } == 1)
    }

    @Test func twoSuchRecordsWrittenInOneTransactionStayTwo() throws {
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence)
        try defence.write { writer in
            try writer.set(composed, fields: ["description": .text("composed")])
            try writer.set(decomposed, fields: ["description": .text("decomposed")])
        }
        #expect(try defence.state(of: composed)?.shownValue(of: "description") == .text("composed"))
        #expect(try defence.state(of: decomposed)?.shownValue(of: "description") == .text("decomposed"))
        #expect(try defence.consistencyProblems() == [])
    }

    @Test func twoSuchRecordsSentInOneChangeSetStayTwo() throws {
        // Given two such records written by one node, and a peer
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence)
        let equality = try fixture.make(.equality)
        let changes = try defence.write { writer in
            [
                try #require(try writer.set(composed, fields: ["description": .text("composed")])),
                try #require(try writer.set(decomposed, fields: ["description": .text("decomposed")])),
            ]
        }
        // When they reach the peer in one change set, as a pull serves them from the log
        try defence.push(to: equality)
        // ... or as the encoder writes them from changes
        let encoded = try ChangeSetFormat.encode(
            changes, owners: [defence.nodeID: "defence"], sender: defence.nodeID, datasetID: "be-nap-1325-2013-2016")
        let decoded = try ChangeSetFormat.decode(encoded, sender: "test")
        // Then each change names its own record
        #expect(decoded.changes.map(\.record) == [composed, decomposed])
        #expect(try equality.state(of: composed)?.shownValue(of: "description") == .text("composed"))
        #expect(try equality.state(of: decomposed)?.shownValue(of: "description") == .text("decomposed"))
        #expect(try equality.canonicalExport().digest() == defence.canonicalExport().digest())
    }

    @Test func aReplayNamingTheOtherSpellingIsAnotherChange() throws {
        // Given a peer that holds a change to the composed record
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence)
        let equality = try fixture.make(.equality)
        let change = try #require(try defence.set(composed, fields: ["description": .text("caf\u{E9}")]))
        try defence.push(to: equality)
        func redelivered(_ change: Change) throws -> Data {
            try ChangeSetFormat.encode(
                [change], owners: [defence.nodeID: "defence"], sender: defence.nodeID, datasetID: "be-nap-1325-2013-2016")
        }
        // When the same change arrives again, it is known
        #expect(try equality.apply(changeSet: try redelivered(change)).alreadyKnown == 1)
        // ... but under the same id naming the decomposed record, or with its text decomposed, it is another
        // change under a held id, refused
        var otherRecord = change
        otherRecord.record = decomposed
        var otherText = change
        otherText.assignments = [Assignment(field: "description", value: .text("cafe\u{301}"))]
        for tampered in [otherRecord, otherText] {
            #expect(throws: ReplicaError.self) { try equality.apply(changeSet: try redelivered(tampered)) }
        }
        #expect(try equality.state(of: decomposed) == nil)
    }
}
