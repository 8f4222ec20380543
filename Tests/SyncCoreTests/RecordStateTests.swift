import NAPModel
@testable import SyncCore
import Testing

/// The record state keeps its fields in a sorted array; these pin that the order of writes does not show in
/// the state, and that states stored before (fields in dictionary order) still read back whole.
@Suite struct RecordStateTests {
    let writer = NodeID(high: 0x1111, low: 0x2222)
    let record = RecordKey.entry(.defence, year: 2014, line: "4.a")

    func change(_ seq: UInt64, _ fields: [(String, FieldValue)], supersedes: [Dot] = []) -> Change {
        Change(
            origin: writer, seq: seq, time: 1_000 + Int64(seq), record: record,
            assignments: fields.map { Assignment(field: $0.0, value: $0.1) }, supersedes: supersedes)
    }

    @Test func fieldsWrittenInAnyOrderGiveTheSameState() {
        // Given the same three fields, written in one change in two orders, and in three changes
        var forward = RecordState()
        forward.apply(change(1, [("status", .text("done")), ("narrative", .text("n")), ("budget", .int(5))]))
        var backward = RecordState()
        backward.apply(change(1, [("budget", .int(5)), ("narrative", .text("n")), ("status", .text("done"))]))
        var piecewise = RecordState()
        piecewise.apply(change(1, [("narrative", .text("n"))]))
        piecewise.apply(change(2, [("status", .text("done"))]))
        piecewise.apply(change(3, [("budget", .int(5))]))
        // Then the states are equal where the dots agree, and every state lists its fields by name
        #expect(forward == backward)
        #expect(piecewise.entries.map(\.name) == ["budget", "narrative", "status"])
        #expect(piecewise.values == forward.values)
        #expect(piecewise.versions(of: "status")?.first?.dot == Dot(origin: writer, seq: 2))
        #expect(piecewise.versions(of: "missing") == nil)
    }

    @Test func aWriteOverAFieldReplacesOnlyTheVersionItSaw() {
        var state = RecordState()
        state.apply(change(1, [("status", .text("planned")), ("narrative", .text("n"))]))
        state.apply(change(2, [("status", .text("done"))], supersedes: [Dot(origin: writer, seq: 1)]))
        #expect(state.versions(of: "status")?.map(\.value) == [.text("done")])
        #expect(state.versions(of: "narrative")?.map(\.value) == [.text("n")])
        #expect(!state.mayConflict)
    }

    @Test(arguments: [
        [("status", "late"), ("narrative", "n"), ("status", "later")],
        [("status", "late"), ("status", "later"), ("narrative", "n")],
    ])
    func aStateStoredWithFieldsOutOfOrderReadsBackSorted(_ stored: [(String, String)]) throws {
        // Given a stored state whose fields are not sorted and name one field twice, apart or side by side, as
        // dictionary order could leave them (the later one won when states were read into a dictionary)
        var blob = BinaryWriter()
        blob.varint(3)
        for (name, value) in stored {
            blob.string(name)
            blob.varint(1)
            blob.varint(1)  // origin index
            blob.varint(7)  // seq
            blob.signed(1_007)
            blob.value(.text(value))
            blob.varint(0)  // observed dots
        }
        // When it is read
        let state = try StoredEncoding.decodeState(blob.bytes, node: { $0 == 1 ? writer : nil })
        // Then the fields are sorted, the later duplicate won, and encoding it again gives the sorted form
        #expect(state.entries.map(\.name) == ["narrative", "status"])
        #expect(state.values["status"] == .text("later"))
        #expect(state.versions(of: "status")?.count == 1)
        let again = try StoredEncoding.decodeState(StoredEncoding.encode(state, index: { _ in 1 }), node: { $0 == 1 ? writer : nil })
        #expect(again == state)
    }
}
