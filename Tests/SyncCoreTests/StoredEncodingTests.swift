import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// How a record state is stored: a version that the slot before it also holds (one change wrote both fields) is
/// stored once; states stored before, which name every version in full, still read back (see also
/// `RecordStateTests`).
@Suite struct StoredEncodingTests {
    let nodes = [NodeID(high: 0x1111, low: 0x2222), NodeID(high: 0x3333, low: 0x4444)]
    let record = RecordKey.entry(.defence, year: 2014, line: "4.a")

    func index(_ node: NodeID) -> Int64 { Int64(nodes.firstIndex(of: node)! + 1) }
    func node(_ index: Int64) -> NodeID? { index >= 1 && index <= Int64(nodes.count) ? nodes[Int(index) - 1] : nil }

    /// `record`'s state after one change of the first node created it with `assignments`.
    func created(seq: UInt64, time: Int64, _ assignments: [Assignment]) -> RecordState {
        var state = RecordState()
        state.apply(Change(origin: nodes[0], seq: seq, time: time, record: record, assignments: assignments, supersedes: []))
        return state
    }

    @Test func fieldsWrittenByOneChangeStoreItsVersionOnceAndKnownNamesByNumber() throws {
        // Given a record created by one change with three fields
        let state = created(
            seq: 7, time: 1_700_000_000_123,
            [
                Assignment(field: "budget", value: .int(5)), Assignment(field: "narrative", value: .text("n")),
                Assignment(field: "status", value: .text("done")),
            ])
        // When it is stored
        let stored = StoredEncoding.encode(state, index: index)
        // Then the first field names the change and the other two refer to it
        var expected = BinaryWriter()
        expected.varint(3)
        expected.varint(0)  // a known field name, by number
        expected.varint(3)  // "budget"
        expected.varint(1)
        expected.varint(1)  // origin index
        expected.varint(7)  // seq
        expected.signed(1_700_000_000_123)
        expected.value(.int(5))
        expected.varint(0)  // observed dots
        for (number, value) in [(11, "n"), (17, "done")] {  // "narrative", "status"
            expected.varint(0)
            expected.varint(number)
            expected.varint(1)
            expected.varint(StoredEncoding.previousSlotsChange)
            expected.value(.text(value))
        }
        #expect(stored == expected.bytes)
        // ... and it reads back as it was
        #expect(try StoredEncoding.decodeState(stored, node: node) == state)
    }

    @Test func namesOutsideTheModelAndAnEmptyNameAreStoredSoTheyReadBack() throws {
        // Given a state with a field the model does not name, one it names, and an empty name
        let state = created(
            seq: 1, time: 1_000,
            [
                Assignment(field: "", value: .int(1)), Assignment(field: "budget", value: .int(2)),
                Assignment(field: "zz-extension", value: .int(3)),
            ])
        // When it is stored
        let stored = StoredEncoding.encode(state, index: index)
        // Then the model's name takes two bytes, the other is written in full, and all read back
        #expect(stored.count(of: Array("zz-extension".utf8)) == 1)
        #expect(stored.count(of: Array("budget".utf8)) == 0)
        #expect(try StoredEncoding.decodeState(stored, node: node) == state)
    }

    @Test func aFieldNumberPastTheKnownNamesIsDamage() {
        // Given a state naming its field by a number this napsync does not know
        var stored = BinaryWriter()
        stored.varint(1)
        stored.varint(0)
        stored.varint(UInt64(StoredFieldName.known.count + 1))
        stored.varint(1)
        stored.varint(1)
        stored.varint(1)
        stored.signed(1_000)
        stored.value(.int(1))
        stored.varint(0)
        // When it is read, then it is reported as damage
        #expect(throws: ReplicaError.self) { try StoredEncoding.decodeState(stored.bytes, node: node) }
    }

    @Test func knownNamesKeepTheirNumbers() {
        // Stored states refer to these numbers for good: a name may be added at the end, with a schema migration
        // (see `StoredFieldName.known`), never moved. This list changes with it.
        #expect(StoredFieldName.known == [
            "_removed", "answer", "budget", "countries", "date", "description", "instrument", "kind", "line", "men", "narrative", "node",
            "note", "number", "reason", "signature", "status", "unspecified", "women", "year",
        ])
        #expect(Set(StoredFieldName.known).count == StoredFieldName.known.count)
    }

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func anyStateReadsBackAsItWasStored(seed: UInt64) throws {
        // Given states built by random changes of two nodes: concurrent versions of a field, removals that saw
        // some versions and not others, restorations
        var random = SplitMix64(seed: seed)
        let fields = ["budget", "narrative", "status", Change.removedField]
        for trial in 0..<50 {
            var state = RecordState()
            var seqs = [UInt64](repeating: 0, count: nodes.count)
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                let writer = Int.random(in: 0..<nodes.count, using: &random)
                seqs[writer] += 1
                let written = fields.shuffled(using: &random).prefix(Int.random(in: 1...3, using: &random)).sorted()
                let seen = state.allDots.filter { _ in Bool.random(using: &random) }
                state.apply(
                    Change(
                        origin: nodes[writer], seq: seqs[writer], time: Int64.random(in: 1_000...1_010, using: &random),
                        record: record,
                        assignments: written.map {
                            Assignment(field: $0, value: $0 == Change.removedField ? .bool(Bool.random(using: &random)) : .int(Int64(trial)))
                        },
                        supersedes: seen))
            }
            // When it is stored and read back
            let stored = StoredEncoding.encode(state, index: index)
            // Then nothing of it changed
            #expect(try StoredEncoding.decodeState(stored, node: node) == state, "seed \(seed) trial \(trial)")
        }
    }

    @Test(arguments: [UInt64(11), 12, 13, 14])
    func aBodysAssignmentsHashAsTheCanonicalForm(seed: UInt64) {
        // Given changes with every kind of value, with and without context
        var random = SplitMix64(seed: seed)
        let values: [FieldValue] = [.null, .bool(true), .bool(false), .int(-3), .int(1 << 40), .text(""), .text("é n"), .list([]), .list(["AFG", "MLI"])]
        var scratch = BinaryWriter()
        for trial in 0..<50 {
            let assignments = ["budget", "countries", "date", "status"].filter { _ in Bool.random(using: &random) }.map {
                Assignment(field: $0, value: values.randomElement(using: &random)!)
            }
            let change = Change(
                origin: nodes[trial % 2], seq: UInt64.random(in: 1...1_000_000, using: &random), time: Int64.random(in: 0...(1 << 45), using: &random),
                record: record, assignments: assignments,
                supersedes: nodes.filter { _ in Bool.random(using: &random) }.map { Dot(origin: $0, seq: UInt64.random(in: 1...500, using: &random)) })
            // When the stored body is encoded and its assignment bytes hashed in the canonical frame, in a buffer
            // reused from one change to the next
            let body = StoredEncoding.encodeBodyAndAssignmentsEnd(change, index: index)
            // Then the digest is the change's canonical digest, and the body a local write builds from its encoded
            // fields is the same
            #expect(
                ChangeChain.digest(change, encodedAssignments: body.bytes[..<body.assignmentsEnd], scratch: &scratch) == ChangeChain.digest(change),
                "seed \(seed) trial \(trial)")
            var pairs = BinaryWriter()
            for assignment in assignments {
                pairs.string(assignment.field)
                pairs.value(assignment.value)
            }
            let fromPairs = StoredEncoding.encodeBody(
                assignmentCount: assignments.count, pairs: pairs.bytes, supersedes: change.supersedes, index: index)
            #expect(fromPairs.bytes == body.bytes && fromPairs.assignmentsEnd == body.assignmentsEnd, "seed \(seed) trial \(trial)")
        }
    }

    @Test func aStateWhoseFieldsTurnOutOfOrderLateReadsBackWhole() throws {
        // Given a stored state (as dictionary order could leave them) whose first two fields are in order, the
        // first with two concurrent versions, and the third sorts before the second
        var stored = BinaryWriter()
        stored.varint(3)
        for (name, versions) in [("budget", [(1, 5), (2, 6)]), ("status", [(1, 7)]), ("narrative", [(2, 8)])] {
            stored.string(name)
            stored.varint(versions.count)
            for (origin, seq) in versions {
                stored.varint(origin)
                stored.varint(seq)
                stored.signed(1_000 + Int64(seq))
                stored.value(.int(Int64(seq)))
                stored.varint(0)
            }
        }
        // When it is read
        let state = try StoredEncoding.decodeState(stored.bytes, node: node)
        // Then every field keeps its versions, sorted by name
        #expect(state.entries.map(\.name) == ["budget", "narrative", "status"])
        #expect(state.versions(of: "budget")?.map(\.dot) == [Dot(origin: nodes[1], seq: 6), Dot(origin: nodes[0], seq: 5)])
        #expect(state.versions(of: "status")?.map(\.value) == [.int(7)])
        #expect(state.versions(of: "narrative")?.map(\.value) == [.int(8)])
    }

    @Test func aTruncatedStateOrAnOriginPastAnyIndexIsDamageNotACrash() throws {
        // Given a stored state cut short, and one whose origin index does not fit a local index
        let state = created(seq: 1, time: 1_000, [Assignment(field: "status", value: .text("done"))])
        let whole = StoredEncoding.encode(state, index: index)
        var huge = BinaryWriter()
        huge.varint(1)
        huge.string("status")
        huge.varint(1)
        huge.varint(UInt64.max)
        // When they are read, then each is reported as damage
        for stored in [Array(whole.dropLast(3)), huge.bytes] {
            #expect {
                try StoredEncoding.decodeState(stored, node: node)
            } throws: { error in
                guard case ReplicaError.damagedReplica = error else { return false }
                return true
            }
        }
    }

    @Test func aStoredStateWhoseFirstVersionRefersBackIsDamage() throws {
        // Given a stored state whose first version refers to a version before it
        var stored = BinaryWriter()
        stored.varint(1)
        stored.string("status")
        stored.varint(1)
        stored.varint(StoredEncoding.previousSlotsChange)
        stored.value(.text("done"))
        // When it is read, then the replica is reported damaged
        #expect {
            try StoredEncoding.decodeState(stored.bytes, node: node)
        } throws: { error in
            guard case ReplicaError.damagedReplica(let reason) = error else { return false }
            return reason.contains("refers to a version before it")
        }
    }
}

extension Array where Element == UInt8 {
    /// How many times `pattern` occurs in the bytes.
    fileprivate func count(of pattern: [UInt8]) -> Int {
        guard !pattern.isEmpty, pattern.count <= count else { return 0 }
        return (0...(count - pattern.count)).filter { self[$0..<($0 + pattern.count)].elementsEqual(pattern) }.count
    }
}
