import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

/// The wire format `protocol.md` documents: pinned by a golden file, and refusing every kind of bad input
/// with a clear error while changing nothing.
@Suite struct ChangeSetFormatTests {
    static let defence = NodeID(hex: "d0000000000000000000000000000001")!
    static let justice = NodeID(hex: "a0000000000000000000000000000002")!
    static let entry = RecordKey.entry(.defence, year: 2014, line: "1.a")

    /// Two changes by one Defence node: a creation and a status change that supersedes it.
    static let sample: [Change] = [
        Change(
            origin: defence, seq: 1, time: 1_400_000_000_000, record: entry,
            assignments: [.init(field: "status", value: .text("ongoing")), .init(field: "year", value: .int(2014))],
            supersedes: []),
        Change(
            origin: defence, seq: 2, time: 1_400_000_000_500, record: entry,
            assignments: [.init(field: "status", value: .text("done"))],
            supersedes: [Dot(origin: defence, seq: 1)]),
    ]

    static func encodeSample(dataset: String = "be-nap-1325-2013-2016") throws -> Data {
        try ChangeSetFormat.encode(sample, owners: [defence: "defence"], sender: defence, datasetID: dataset)
    }

    static func golden(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Golden/\(name)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }

    static func hex(_ data: Data) -> String {
        stride(from: 0, to: data.count, by: 16).map { start in
            data[data.index(data.startIndex, offsetBy: start)..<data.index(data.startIndex, offsetBy: min(start + 16, data.count))]
                .map { String(format: "%02x", $0) }.joined(separator: " ")
        }.joined(separator: "\n") + "\n"
    }

    @Test func encodingMatchesTheGoldenFile() throws {
        // Regenerate after a deliberate format change with NAPSYNC_UPDATE_GOLDEN=1 (and bump the version).
        let actual = Self.hex(try Self.encodeSample())
        if ProcessInfo.processInfo.environment["NAPSYNC_UPDATE_GOLDEN"] == "1" {
            try actual.write(toFile: #filePath.replacingOccurrences(of: "ChangeSetFormatTests.swift", with: "Golden/changeset-v1.hex"), atomically: true, encoding: .utf8)
        }
        #expect(actual == (try Self.golden("changeset-v1.hex")))
    }

    @Test func theGoldenFileDecodesToTheSampleChanges() throws {
        let text = try Self.golden("changeset-v1.hex")
        let bytes = Data(text.split(whereSeparator: { $0 == " " || $0 == "\n" }).map { UInt8($0, radix: 16)! })
        let decoded = try ChangeSetFormat.decode(bytes, sender: "golden")
        #expect(decoded.changes == Self.sample)
        #expect(decoded.header.sender == Self.defence)
        #expect(decoded.header.origins.map(\.owner) == ["defence"])
        #expect(decoded.header.origins.first?.firstSeq == 1 && decoded.header.origins.first?.count == 2)
    }

    static func expectRefusal(_ data: Data, into replica: Replica, _ comment: Comment) throws {
        let before = try replica.canonicalExport().digest()
        let clock = try replica.clock()
        #expect(throws: ReplicaError.self, comment) { try replica.apply(changeSet: data) }
        #expect(try replica.canonicalExport().digest() == before, comment)
        #expect(try replica.clock() == clock, comment)
    }

    @Test func truncatedBitFlippedAndWrongVersionSetsAreRefused() throws {
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.coordinator)
        let data = try Self.encodeSample()
        try Self.expectRefusal(data.prefix(data.count - 1), into: replica, "truncated")
        try Self.expectRefusal(data.prefix(10), into: replica, "cut in the header")
        for position in stride(from: 0, to: data.count, by: 7) {
            var flipped = data
            flipped[position] ^= 0x10
            try Self.expectRefusal(flipped, into: replica, "bit flipped at \(position)")
        }
        var version = data
        version[4] = 9
        try Self.expectRefusal(version, into: replica, "wrong version")
        try Self.expectRefusal(Data("hello".utf8), into: replica, "not a change set")
    }

    @Test func aSetForAnotherDatasetIsRefused() throws {
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.coordinator)
        try Self.expectRefusal(try Self.encodeSample(dataset: "another-plan"), into: replica, "wrong dataset")
    }

    @Test func aDecompressionBombIsRefusedBeforeInflating() throws {
        // One change whose value is 8 MiB of one letter: tiny compressed, huge inflated.
        let bomb = [Change(
            origin: Self.defence, seq: 1, time: 1, record: Self.entry,
            assignments: [.init(field: "narrative", value: .text(String(repeating: "a", count: 8 << 20)))], supersedes: [])]
        let data = try ChangeSetFormat.encode(bomb, owners: [Self.defence: "defence"], sender: Self.defence, datasetID: "be-nap-1325-2013-2016")
        #expect(data.count < 64 << 10)
        #expect(throws: ReplicaError.self) {
            try ChangeSetFormat.decode(data, sender: "bomb", limits: .init(maxPayloadBytes: 1 << 20))
        }
    }

    @Test func aSequenceGapIsRefusedAndNothingIsApplied() throws {
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.coordinator)
        let onlySecond = try ChangeSetFormat.encode(
            [Self.sample[1]], owners: [Self.defence: "defence"], sender: Self.defence, datasetID: "be-nap-1325-2013-2016")
        try Self.expectRefusal(onlySecond, into: replica, "gap")
        #expect(try replica.apply(changeSet: try Self.encodeSample()).applied == 2, "the complete set still applies")
    }

    @Test func aWriteToAnotherDepartmentsRecordIsRefusedWhoeverRelaysIt() throws {
        let fixture = try ReplicaFixture()
        let coordinator = try fixture.make(.coordinator)
        let forged = [Change(
            origin: Self.defence, seq: 1, time: 1, record: .entry(.justice, year: 2014, line: "1.a"),
            assignments: [.init(field: "status", value: .text("done"))], supersedes: [])]
        let data = try ChangeSetFormat.encode(forged, owners: [Self.defence: "defence"], sender: Self.justice, datasetID: "be-nap-1325-2013-2016")
        try Self.expectRefusal(data, into: coordinator, "defence writing justice")
    }

    @Test func aReplayedChangeWithAlteredContentIsRefused() throws {
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.coordinator)
        _ = try replica.apply(changeSet: try Self.encodeSample())
        var altered = Self.sample
        altered[1].assignments = [.init(field: "status", value: .text("planned"))]
        let data = try ChangeSetFormat.encode(altered, owners: [Self.defence: "defence"], sender: Self.defence, datasetID: "be-nap-1325-2013-2016")
        try Self.expectRefusal(data, into: replica, "altered replay")
    }

    @Test func anEmptySetForAPeerThatLacksNothingIsSmall() throws {
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.defence)
        try replica.set(Self.entry, fields: ["status": .text("done")])
        #expect(try replica.changeSet(missingFrom: try replica.clock(), maxChanges: 100) == nil)
        #expect(try replica.emptyChangeSet().count < 1024)
    }

    /// A change set decoded and encoded again by the encoder of `Change`s, with the header's owners and proofs.
    static func reencoded(_ data: Data) throws -> Data {
        let decoded = try ChangeSetFormat.decode(data, sender: "test")
        return try ChangeSetFormat.encode(
            decoded.changes, owners: Dictionary(uniqueKeysWithValues: decoded.header.origins.map { ($0.node, $0.owner) }),
            sender: decoded.header.sender, datasetID: decoded.header.datasetID, level: ChangeSetCompression.fast.zlibLevel,
            proofs: Dictionary(uniqueKeysWithValues: decoded.header.origins.map { ($0.node, $0.proof) }))
    }

    /// A replica serves its stored changes without decoding them (`ChangeSetColumns`); what it sends must be
    /// byte for byte what the encoder of `Change`s writes for the same changes, whatever the chunking: relayed
    /// origins, a context naming an origin with no change in the set, every kind of value, removal.
    @Test func aServedSetIsWhatTheChangeEncoderWritesForItsChanges() throws {
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence, name: "defence")
        let defenceLaptop = try fixture.make(.defence, name: "defence-laptop")
        let justice = try fixture.make(.justice, name: "justice")
        let coordinator = try fixture.make(.coordinator, name: "coordinator")
        let shared = RecordKey.entry(.defence, year: 2015, line: "1.a")
        try defence.set(shared, fields: ["status": .text("ongoing"), "narrative": .text("Gender advisers 🇧🇪"), "count": .int(-3)])
        try defence.set(.entry(.defence, year: 2015, line: "1.b"), fields: ["flag": .bool(true), "none": .null])
        try justice.set(.entry(.justice, year: 2015, line: "4.a"), fields: ["countries": .list(["AFG", "COD", "MLI"]), "flag": .bool(false)])
        try defence.push(to: defenceLaptop)
        try defenceLaptop.set(shared, fields: ["status": .text("done")])
        _ = try defenceLaptop.remove(.entry(.defence, year: 2015, line: "1.b"))
        for source in [defence, defenceLaptop, justice] { try source.push(to: coordinator) }

        // A peer that holds Defence's own changes gets the laptop's, whose contexts name Defence's changes.
        for maxChanges in [1, 2, 100] {
            var peerClock = try defence.clock()
            var served = 0
            while let outgoing = try coordinator.changeSet(missingFrom: peerClock, maxChanges: maxChanges, compression: .fast) {
                let decoded = try ChangeSetFormat.decode(outgoing.data, sender: "test")
                #expect(try Self.reencoded(outgoing.data) == outgoing.data, "chunks of \(maxChanges)")
                #expect(decoded.changes.count == outgoing.changeCount && decoded.changes.count <= maxChanges)
                served += decoded.changes.count
                peerClock = outgoing.peerClockAfter
                if !outgoing.hasMore { break }
            }
            #expect(served == 3, "chunks of \(maxChanges): the laptop's two changes and Justice's one")
        }

        // Past 32 field names, the names are looked up by hashing: the bytes must not change.
        let wide = try fixture.make(.defence, name: "wide")
        try wide.set(shared, fields: Dictionary(uniqueKeysWithValues: (0..<40).map { ("field\($0)", FieldValue.int(Int64($0))) }))
        try wide.set(.entry(.defence, year: 2016, line: "1.a"), fields: ["field39": .int(1), "field0": .text("x"), "field33": .null])
        let wideSet = try #require(try wide.changeSet(missingFrom: VectorClock(), maxChanges: 100, compression: .fast))
        #expect(try Self.reencoded(wideSet.data) == wideSet.data)

        let dependencyOnly = try #require(
            try coordinator.changeSet(missingFrom: try defence.clock(), maxChanges: 100, compression: .fast))
        let header = try ChangeSetFormat.decode(dependencyOnly.data, sender: "test").header
        #expect(header.origins.contains { $0.node == defence.nodeID && $0.count == 0 })
    }
}

extension Replica {
    @discardableResult
    func apply(changeSet data: Data) throws -> ApplyReport { try apply(changeSet: data, from: "test") }
}
