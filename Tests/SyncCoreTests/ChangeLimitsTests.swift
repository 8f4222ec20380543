import Crypto
import Foundation
import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// What every receiver refuses, no replica accepts and no node writes: a change set is refused whole, and a
/// local write past a change set's limits is refused before it is recorded, or its peers would refuse it forever.
@Suite struct ChangeLimitsTests {
    let fixture: ReplicaFixture
    let record = RecordKey(kind: .intervention, owner: .department(.defence), id: "limits")

    init() throws {
        fixture = try ReplicaFixture()
    }

    @Test func aChangeTimedAfterTheYear9999IsRefusedAndChangesNothing() throws {
        // Given a change of a department, timed at the latest time a change may carry and then at the largest
        let defence = try fixture.make(.defence)
        let equality = try fixture.make(.equality)
        let change = try #require(try defence.set(record, fields: ["description": .text("far ahead")]))
        func set(at time: Int64) throws -> Data {
            var timed = change
            timed.time = time
            return try ChangeSetFormat.encode(
                [timed], owners: [defence.nodeID: "defence"], sender: defence.nodeID, datasetID: "be-nap-1325-2013-2016")
        }
        // When a peer receives the one past the limit, it refuses the set and changes nothing
        #expect(throws: ReplicaError.self) { try equality.apply(changeSet: try set(at: .max)) }
        #expect(try equality.state(of: record) == nil)
        // ... while the latest time allowed is applied, and the peer's own writes then take that time, which its
        // peers accept, not a later one
        _ = try equality.apply(changeSet: try set(at: Change.latestTime))
        #expect(try equality.state(of: record) != nil)
        let review = RecordKey(kind: .intervention, owner: .department(.equality), id: "own")
        let own = try #require(try equality.set(review, fields: ["description": .text("written after")]))
        #expect(own.time == Change.latestTime)
        let defence2 = try fixture.make(.defence)
        try equality.push(to: defence2)
        #expect(try defence2.state(of: review) != nil)
    }

    @Test func aHeaderWhoseRangesOverflowWhenAddedIsRefused() throws {
        // Given a header listing two origins, each with a range of 2^63 changes (each fits 64 bits, their sum does
        // not), and no change
        var bytes = BinaryWriter()
        bytes.raw(ChangeSetFormat.magic)
        bytes.byte(ChangeSetFormat.version)
        bytes.byte(0)
        bytes.string("be-nap-1325-2013-2016")
        bytes.raw([UInt8](repeating: 1, count: 16))
        bytes.varint(2)
        for node in [UInt8(2), 3] {
            bytes.raw([UInt8](repeating: node, count: 16))
            bytes.string("defence")
            bytes.varint(1)
            bytes.varint(UInt64(1) << 63)
            bytes.varint(0)  // certificate
            bytes.varint(0)  // checkpoint
            bytes.varint(0)  // tail
            bytes.varint(0)  // signature
        }
        bytes.varint(0)  // changes
        bytes.varint(0)  // assignments
        bytes.varint(0)  // payload size
        bytes.varint(0)  // compressed size
        // ... sealed with its integrity trailer, so that a decode reads the header too
        bytes.raw(Array(SHA256.hash(data: bytes.bytes)))
        let data = Data(bytes.bytes)
        // Then neither the reading of its header alone nor a decode traps: both refuse it
        #expect(ChangeSetFormat.unverifiedHeader(of: data) == nil)
        #expect(throws: ReplicaError.self) { try ChangeSetFormat.decode(data, sender: "test") }
    }

    @Test func aContextNamingChangeZeroOfAnUnseenOriginIsRefused() throws {
        // Given a change whose context names change 0 of an origin the receiver has never seen (the set lists that
        // origin with no change of its own)
        let defence = try fixture.make(.defence)
        let equality = try fixture.make(.equality)
        let stranger = NodeID.random()
        var change = try #require(try defence.set(record, fields: ["description": .text("context")]))
        change.supersedes = [Dot(origin: stranger, seq: 0)]
        let data = try ChangeSetFormat.encode(
            [change], owners: [defence.nodeID: "defence", stranger: "justice"], sender: defence.nodeID,
            datasetID: "be-nap-1325-2013-2016")
        // Then the receiver refuses the set, and changes nothing
        #expect(throws: ReplicaError.self) { try equality.apply(changeSet: data) }
        #expect(try equality.state(of: record) == nil)
    }

    @Test func aCheckpointPastTheLargestSequenceNumberIsRefused() throws {
        // Given a signed range ending at the largest sequence number but one, whose tail of two digests would put
        // its checkpoint past the largest
        let defence = try fixture.make(.defence)
        let equality = try fixture.make(.equality)
        var change = try #require(try defence.set(record, fields: ["description": .text("late")]))
        change.seq = UInt64.max - 1
        let tail = [ChangeChain.digest(change), ChangeChain.digest(change)]
        let data = try ChangeSetFormat.encode(
            [change], owners: [defence.nodeID: "defence"], sender: defence.nodeID, datasetID: "be-nap-1325-2013-2016",
            proofs: [defence.nodeID: ChangeSetFormat.OriginProof(checkpointSeq: 1, tail: tail, signature: Data(repeating: 7, count: 64))])
        // Then the receiver refuses the set, and changes nothing
        #expect(throws: ReplicaError.self) { try equality.apply(changeSet: data) }
        #expect(try equality.state(of: record) == nil)
    }

    @Test func aLocalWritePastAChangeSetsLimitsIsRefusedAndWritesNothing() throws {
        let defence = try fixture.make(.defence)
        let longest = String(repeating: "a", count: Change.maxFieldNameBytes)
        // A name of the longest length is written...
        #expect(try defence.set(record, fields: [longest: .int(1)]) != nil)
        // ... and one byte more, too many fields in one write, or an empty id is refused, and writes nothing
        let clock = try defence.currentClock()
        #expect(throws: ReplicaError.self) { try defence.set(record, fields: [longest + "a": .int(1)]) }
        var many: RecordFields = [:]
        for index in 0...Change.maxAssignments { many["f\(index)"] = .int(Int64(index)) }
        #expect(throws: ReplicaError.self) { try defence.set(record, fields: many) }
        let empty = RecordKey(kind: .intervention, owner: .department(.defence), id: "")
        #expect(throws: ReplicaError.self) { try defence.set(empty, fields: ["description": .text("no id")]) }
        #expect(try defence.currentClock() == clock)
        // And as many fields as a change may hold are written
        many.removeValue(forKey: "f0")
        #expect(try defence.set(record, fields: many)?.assignments.count == Change.maxAssignments)
    }

    @Test func aBundleOfNoChangesPerChangeSetIsRefused() throws {
        // Given a replica with a change, then a bundle asked for with no change per change set
        let defence = try fixture.make(.defence)
        try defence.set(record, fields: ["description": .text("bundled")])
        let url = fixture.directory.appending("none-per-set.napb")
        // Then it is refused, instead of writing empty change sets for ever
        #expect(throws: ReplicaError.self) {
            try ChangeBundle.write(from: defence, for: VectorClock(), to: url, chunkSize: 0, emptySet: { try defence.emptyChangeSet() })
        }
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    @Test func aBundleLengthPrefixTooLongFor64BitsIsRefused() throws {
        // Given a bundle whose first length prefix is a varint too long for 64 bits (its low bits read 5)
        let url = fixture.directory.appending("overlong.napb")
        let prefix: [UInt8] = [0x85] + [UInt8](repeating: 0x80, count: 8) + [0x02]
        try Data(ChangeBundle.magic + [ChangeBundle.version] + prefix + [1, 2, 3, 4, 5, 0]).write(to: url)
        // Then reading it is refused at that prefix
        var reader = try ChangeBundle.Reader(url: url)
        #expect(throws: ReplicaError.self) { try reader.next() }
    }
}
