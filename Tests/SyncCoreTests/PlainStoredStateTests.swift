import Foundation
import GRDB
import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// A local write to a plain record rewrites the record's stored bytes in place (`PlainStoredState`, `setPlain`).
/// It must leave exactly what the general path leaves: the same change, the same state, the same bytes.
@Suite struct PlainStoredStateTests {
    let values: [FieldValue] = [
        .null, .int(1), .int(-40), .int(1 << 41), .text("café"), .text("cafe\u{301}"), .text(""), .list(["AFG"]), .list(["AFG", "MLI"]),
        .bool(true),
        // Equal in Unicode to an ASCII text: the Kelvin sign is a K.
        .text("K"), .text("\u{212A}"), .list(["K"]), .list(["\u{212A}"]),
        // Texts whose length takes two bytes, equal in Unicode and not in bytes.
        .text(String(repeating: "café ", count: 40)), .text(String(repeating: "cafe\u{301} ", count: 40)),
    ]
    /// The model's names, which states store by number, two stored in full (one between the model's names, one
    /// after them), and one that is not ASCII (a write naming it takes the general path).
    let fieldNames = ["budget", "countries", "date", "description", "flag", "line", "year", "zz-extension", "bühne"]

    @Test(arguments: [UInt64(21), 22, 23, 24, 25, 26])
    func aLocalWriteLeavesWhatTheGeneralPathLeaves(seed: UInt64) throws {
        print("PlainStoredStateTests seed \(seed)")
        // Given a node and a sibling of the same department, and records that are plain, removed, restored (which
        // leaves a removal marker) or in conflict (after a write of the sibling), in a random order
        let fixture = try ReplicaFixture()
        let node = try fixture.make(.defence, name: "node")
        let sibling = try fixture.make(.defence, name: "sibling")
        var random = SplitMix64(seed: seed)
        let records = (0..<4).map { RecordKey(kind: .intervention, owner: .department(.defence), id: "r\($0)") }
        var written = 0
        for step in 0..<150 {
            let record = records.randomElement(using: &random)!
            let before = try node.state(of: record) ?? RecordState()
            switch Int.random(in: 0..<20, using: &random) {
            case 0 where before.exists && !before.isRemoved:
                try node.remove(record)
                continue
            case 1 where before.isRemoved:
                try node.restore(record)
                continue
            case 2 where before.exists:
                guard try sibling.state(of: record)?.isRemoved != true else { continue }
                try sibling.set(record, fields: randomFields(&random))
                try sibling.push(to: node)
                try node.push(to: sibling)
                continue
            default:
                guard !before.isRemoved else { continue }
            }
            // When the node sets random fields, some to the value they hold (or one equal in Unicode)
            let fields = randomFields(&random)
            let change = try node.set(record, fields: fields)
            // Then the change holds the fields whose shown value differs, over the versions it replaces
            let changed = fields.keys.filter { before.shownValue(of: $0) != fields[$0] }.sorted()
            #expect((change?.assignments.map(\.field) ?? []) == changed, "seed \(seed) step \(step)")
            guard let change else { continue }
            written += 1
            #expect(change.supersedes == before.context(for: changed), "seed \(seed) step \(step)")
            // ... and the state is the one before with the change applied, stored in the bytes the encoder writes
            var expected = before
            expected.apply(change)
            #expect(try node.state(of: record) == expected, "seed \(seed) step \(step)")
            let (stored, origins) = try node.database.read { db in
                let blob = try Data.fetchOne(db, sql: "SELECT state FROM record WHERE key = ?", arguments: [record.description])
                return (blob.map { [UInt8]($0) }, try OriginDirectory(db))
            }
            #expect(stored == StoredEncoding.encode(expected, index: { origins.index(of: $0)! }), "seed \(seed) step \(step)")
        }
        #expect(written > 25, "seed \(seed): too few writes to test anything")
        #expect(try node.consistencyProblems() == [])
        // And both nodes, having exchanged everything, hold the same records
        try sibling.push(to: node)
        try node.push(to: sibling)
        for record in records { #expect(try node.state(of: record) == sibling.state(of: record), "seed \(seed)") }
    }

    @Test(arguments: [UInt64(31), 32, 33])
    func aRunOfNewRecordsInOneTransactionIsStoredAsTheGeneralPathStoresIt(seed: UInt64) throws {
        print("PlainStoredStateTests seed \(seed)")
        // Given a node holding some records
        let fixture = try ReplicaFixture()
        let node = try fixture.make(.defence, name: "node")
        var random = SplitMix64(seed: seed)
        let held = (0..<10).map { RecordKey(kind: .intervention, owner: .department(.defence), id: "held-\($0)") }
        for record in held { try node.set(record, fields: randomFields(&random)) }
        let before = try Dictionary(uniqueKeysWithValues: held.map { ($0, try #require(try node.state(of: $0))) })
        // When one transaction writes new records, with held records among them, and some records twice
        var keys: [RecordKey] = []
        for number in 0..<200 {
            switch Int.random(in: 0..<10, using: &random) {
            case 0: keys.append(held.randomElement(using: &random)!)
            case 1 where !keys.isEmpty: keys.append(keys.randomElement(using: &random)!)
            default: keys.append(RecordKey(kind: .intervention, owner: .department(.defence), id: "new-\(number)"))
            }
        }
        let changes = try node.write { writer in
            try keys.compactMap { try writer.set($0, fields: randomFields(&random)) }
        }
        // Then every record holds its state before with its changes applied, stored as the encoder stores it
        let origins = try node.database.read { db in try OriginDirectory(db) }
        for record in Set(keys) {
            var expected = before[record] ?? RecordState()
            for change in changes where change.record == record { expected.apply(change) }
            #expect(try node.state(of: record) == expected, "seed \(seed) \(record)")
            let stored = try node.database.read { db in
                try Data.fetchOne(db, sql: "SELECT state FROM record WHERE key = ?", arguments: [record.description]).map { [UInt8]($0) }
            }
            #expect(stored == StoredEncoding.encode(expected, index: { origins.index(of: $0)! }), "seed \(seed) \(record)")
        }
        #expect(changes.count > 150, "seed \(seed)")
        #expect(try node.consistencyProblems() == [])
    }

    @Test func aStateStoredBeforeVersionsWereSharedIsRewrittenToTheSameState() throws {
        // Given a plain state stored with every version in full, as napsync wrote before versions were shared
        let fixture = try ReplicaFixture()
        let node = try fixture.make(.defence, name: "node")
        let record = RecordKey(kind: .intervention, owner: .department(.defence), id: "legacy")
        try node.set(record, fields: ["budget": .int(1), "date": .text("2014-03-08"), "year": .int(2014)])
        var legacy = BinaryWriter()
        let state = try #require(try node.state(of: record))
        legacy.varint(state.entries.count)
        for field in state.entries {
            legacy.string(field.name)
            legacy.varint(1)
            legacy.varint(1)  // the node's origin index
            legacy.varint(field.versions[0].dot.seq)
            legacy.signed(field.versions[0].time)
            legacy.value(field.versions[0].value)
            legacy.varint(0)
        }
        try node.database.write { db in
            try db.execute(sql: "UPDATE record SET state = ? WHERE key = ?", arguments: [Data(legacy.bytes), record.description])
        }
        #expect(try node.state(of: record) == state)
        // When the field in the middle changes
        let change = try #require(try node.set(record, fields: ["date": .text("2015-01-01")]))
        // Then the state reads back as the general path leaves it
        var expected = state
        expected.apply(change)
        #expect(try node.state(of: record) == expected)
        #expect(try node.consistencyProblems() == [])
        // ... and the fields it kept are still named in full, as stored: the write took the plain path (the
        // general path would have stored every name by number)
        let stored = try #require(
            try node.database.read { db in
                try Data.fetchOne(db, sql: "SELECT state FROM record WHERE key = ?", arguments: [record.description])
            })
        #expect(stored.range(of: Data("budget".utf8)) != nil)
        #expect(stored.range(of: Data("date".utf8)) == nil)
    }

    @Test(arguments: [
        (FieldValue.text("K"), FieldValue.text("\u{212A}")), (.text("café"), .text("cafe\u{301}")),
        (.list(["K", "AFG"]), .list(["\u{212A}", "AFG"])),
        (.text(String(repeating: "café ", count: 40)), .text(String(repeating: "cafe\u{301} ", count: 40))),
    ])
    func aValueEqualInUnicodeIsNoChangeWhicheverIsStored(_ pair: (FieldValue, FieldValue)) throws {
        let fixture = try ReplicaFixture()
        let node = try fixture.make(.defence, name: "node")
        for (index, (stored, written)) in [pair, (pair.1, pair.0)].enumerated() {
            let record = RecordKey(kind: .intervention, owner: .department(.defence), id: "unicode-\(index)")
            try node.set(record, fields: ["description": stored, "year": .int(2014)])
            #expect(try node.set(record, fields: ["description": written]) == nil, "\(stored) then \(written)")
        }
    }

    @Test func asciiIsFoundEightBytesAtATimeAndInTheTail() {
        for length in 0..<20 {
            let ascii = String(repeating: "a", count: length)
            #expect(PlainStoredState.isASCII(ascii), "length \(length)")
            for position in 0..<length {
                var characters = Array(ascii)
                characters[position] = "é"
                #expect(!PlainStoredState.isASCII(String(characters)), "length \(length), é at \(position)")
            }
        }
    }

    @Test func anEmptyFieldNameIsRefusedAndWritesNothing() throws {
        let fixture = try ReplicaFixture()
        let node = try fixture.make(.defence, name: "node")
        let record = RecordKey(kind: .intervention, owner: .department(.defence), id: "empty-name")
        #expect(throws: ReplicaError.self) { try node.set(record, fields: ["": .int(1), "budget": .int(2)]) }
        #expect(try node.state(of: record) == nil)
    }

    @Test func fieldsGivenOutOfOrderOrTwiceAreWrittenSortedOnce() throws {
        // Given fields handed to the writer unsorted, one of them twice
        let fixture = try ReplicaFixture()
        let node = try fixture.make(.defence, name: "node")
        let record = RecordKey(kind: .intervention, owner: .department(.defence), id: "unsorted")
        // When they are set
        let change = try #require(
            try node.write { try $0.set(record, sortedFields: [("year", .int(2014)), ("budget", .int(1)), ("year", .int(2015))]) })
        // Then the change holds each field once, sorted, the later value winning as in a dictionary
        #expect(change.assignments == [Assignment(field: "budget", value: .int(1)), Assignment(field: "year", value: .int(2015))])
        #expect(try node.state(of: record)?.values == ["budget": .int(1), "year": .int(2015)])
    }

    @Test func namesByNumberAreOrderedAsTheirBytes() {
        // A list of names is ranked in byte order, whatever its own order: a name appended to the known ones may
        // sort anywhere
        #expect(StoredFieldName.ranks(of: ["year", "amount", "budget", "Zone", "émission"]) == [3, 1, 2, 0, 4])
        // ... and the ranks that order the known names without reading them agree with their bytes, pair by pair
        let names = StoredFieldName.known
        for first in names.indices {
            for second in names.indices {
                var left = names[first]
                var right = names[second]
                let bytes = left.withUTF8 { left in right.withUTF8 { ByteOrder.compare(left, $0) } }
                let ranks = StoredFieldName.knownRanks[first] - StoredFieldName.knownRanks[second]
                #expect(bytes.signum() == ranks.signum(), "\(names[first]) and \(names[second])")
            }
        }
    }

    @Test func aStateWhoseNamesByNumberAreOutOfOrderIsNotPlain() {
        func state(_ names: [String]) -> [UInt8] {
            var writer = BinaryWriter()
            writer.varint(names.count)
            for name in names {
                StoredFieldName.write(name, to: &writer)
                writer.varint(1)
                writer.varint(1)
                writer.varint(7)
                writer.signed(1_000)
                writer.value(.int(1))
                writer.varint(0)
            }
            return writer.bytes
        }
        #expect(PlainStoredState(state(["budget", "year"])) != nil)
        #expect(PlainStoredState(state(["budget", "year", "zz-extension"])) != nil)
        // Out of order, twice, or the removal marker: the general path reads these, and reports the damage
        #expect(PlainStoredState(state(["year", "budget"])) == nil)
        #expect(PlainStoredState(state(["budget", "budget"])) == nil)
        #expect(PlainStoredState(state(["zz-extension", "year"])) == nil)
        #expect(PlainStoredState(state(["year", "aa-extension"])) == nil)
        #expect(PlainStoredState(state(["budget", "flag", "year"])) != nil)
        #expect(PlainStoredState(state(["budget", "year", "flag"])) == nil)
        #expect(PlainStoredState(state([Change.removedField, "budget"])) == nil)
    }

    private func randomFields(_ random: inout SplitMix64) -> RecordFields {
        var fields: RecordFields = [:]
        for name in fieldNames where Int.random(in: 0..<3, using: &random) == 0 { fields[name] = values.randomElement(using: &random)! }
        if fields.isEmpty { fields[fieldNames.randomElement(using: &random)!] = values.randomElement(using: &random)! }
        return fields
    }
}
