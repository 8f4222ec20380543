import Foundation
import GRDB
import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// The filter of record keys lets a batch skip looking up the records it knows new (`RecordKeyFilter`). It must
/// never answer "not held" for a key the table holds.
@Suite struct RecordKeyFilterTests {
    /// Defence's intervention number `index`.
    func key(_ index: Int) -> RecordKey { RecordKey(kind: .intervention, owner: .department(.defence), id: "i\(index)") }

    @Test(arguments: [UInt64(1), 2, 3])
    func aKeyInsertedIsNeverReportedAbsentAndFewOthersAreReportedHeld(seed: UInt64) {
        print("RecordKeyFilterTests seed \(seed)")
        var random = SplitMix64(seed: seed)
        let filter = RecordKeyFilter(capacity: 5_000)
        let inserted = (0..<5_000).map { _ in RecordKey(kind: .intervention, owner: .department(.defence), id: "in-\(random.next())") }
        for key in inserted { filter.insert(key) }
        #expect(inserted.allSatisfy { filter.mayContain($0) })
        #expect(!filter.isFull)
        // Absent keys are mostly reported absent: 5,000 keys in 65,536 bits with 7 probes make about 0.2% false
        // "maybe"s (Swift's hasher is seeded per process, so the count varies from run to run); 1% would mean the
        // probes overlap.
        let absent = (0..<10_000).map { _ in RecordKey(kind: .intervention, owner: .department(.defence), id: "out-\(random.next())") }
        let falseMaybes = absent.filter { filter.mayContain($0) }.count
        #expect(falseMaybes < 100, "\(falseMaybes) of 10,000 absent keys reported as maybe held")
        filter.insert(absent[0])
        filter.insert(absent[1])
        #expect(filter.isFull)
    }

    @Test func aFilterLoadedFromTheTableHoldsEveryKey() throws {
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence)
        let keys = (0..<300).map { RecordKey.entry(.defence, year: 2013 + $0 % 50, line: ["4.a", "4.b", "4.c", "4.d", "4.e", "4.f"][$0 / 50]) }
        try defence.write { writer in
            for key in keys { try writer.set(key, fields: ["narrative": .text("n")]) }
        }
        let filter = try defence.database.read { try RecordKeyFilter.load($0, expected: 1_000) }
        #expect(keys.allSatisfy { filter.mayContain($0) })
        // Room for the table's keys and the batch's, twice over
        #expect(filter.capacity == 2 * (300 + 1_000))
    }

    /// A filter past its size is dropped by the flush, and the next batch builds one from the table.
    @Test func aFilterPastItsSizeIsBuiltAgainByTheNextBatch() throws {
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence)
        // Given a batch of 2,000 new records in a transaction that made no room for them: its filter is sized for
        // far fewer
        let first = try defence.transaction { transaction in
            var writer = LocalWriter(transaction: transaction)
            for index in 0..<2_000 { try writer.set(key(index), fields: ["description": .text("first")]) }
            transaction = writer.transaction
            return transaction.recordKeys?.capacity
        }.0
        #expect(try #require(first) < 2_000)
        // When the next batch edits 100 of them, then writes 200 new ones
        let (startedWithout, vouched) = try defence.transaction { transaction in
            let startedWithout = transaction.recordKeys == nil
            var writer = LocalWriter(transaction: transaction)
            for index in 0..<100 { try writer.set(key(index), fields: ["description": .text("second")]) }
            for index in 2_000..<2_200 { try writer.set(key(index), fields: ["description": .text("second")]) }
            transaction = writer.transaction
            return (startedWithout, transaction.vouchedNew)
        }.0
        // Then it started without the full filter, built one after 64 new records found missing (the edits found
        // their records), knew the other new records new, and found the old ones
        #expect(startedWithout)
        #expect(vouched >= 130 && vouched <= 136, "records known new: \(vouched)")
        for index in [0, 99, 100, 1_999, 2_000, 2_199] {
            let state = try #require(try defence.state(of: key(index)))
            #expect(state.versions(of: "description")?.count == 1)
            #expect(state.shownValue(of: "description") == .text(index < 100 || index >= 2_000 ? "second" : "first"))
        }
        #expect(try defence.consistencyProblems() == [])
    }

    /// A batch that rolls back leaves nothing the next batch could trust wrongly.
    @Test func aBatchAfterOneThatRolledBackWritesWhatItMeans() throws {
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence)
        try defence.write { writer in
            for index in 0..<100 { try writer.set(key(index), fields: ["description": .text("kept")]) }
        }
        // Given a batch that writes 200 records, then one it may not write, and so rolls back
        #expect(throws: ReplicaError.self) {
            try defence.write { writer in
                for index in 0..<200 { try writer.set(key(index), fields: ["description": .text("rolled back")]) }
                try writer.set(.entry(.justice, year: 2014, line: "4.a"), fields: ["narrative": .text("not ours")])
            }
        }
        // When the next batch writes records 50 to 249
        try defence.write { writer in
            for index in 50..<250 { try writer.set(key(index), fields: ["description": .text("next")]) }
        }
        // Then what rolled back left nothing, and the next batch's writes are all there, once
        #expect(try defence.state(of: key(0))?.shownValue(of: "description") == .text("kept"))
        for index in [50, 99, 100, 199, 249] {
            let state = try #require(try defence.state(of: key(index)))
            #expect(state.versions(of: "description")?.count == 1)
            #expect(state.shownValue(of: "description") == .text("next"))
        }
        #expect(try defence.consistencyProblems() == [])
    }

    /// Batches of new records and edits of them: each edit finds the record it edits, although the batch before
    /// built the filter and later batches skip looking up what it vouches new.
    @Test func batchesFindTheRecordsEarlierBatchesWrote() throws {
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence, name: "defence")
        let coordinator = try fixture.make(.coordinator, name: "coordinator")
        func key(_ index: Int) -> RecordKey { .entry(.defence, year: 2013 + index % 100, line: "4.\(["a", "b", "c", "d", "e", "f"][index / 100])") }
        var vouched: [Int] = []
        for round in 0..<4 {
            // Records 0 to 199 in round 0, 100 to 299 in round 1, ...: half edits of the round before, half new.
            vouched.append(
                try defence.transaction { transaction in
                    var writer = LocalWriter(transaction: transaction)
                    for index in (round * 100)..<(round * 100 + 200) {
                        try writer.set(key(index), fields: ["narrative": .text("round \(round)")])
                    }
                    transaction = writer.transaction
                    return transaction.vouchedNew
                }.0)
        }
        // Then the later batches knew their new records new without a lookup
        #expect(vouched[0] > 0)
        #expect(vouched.dropFirst().allSatisfy { $0 >= 90 }, "records known new per batch: \(vouched)")
        // And every record holds its last value once, as one version: no edit was taken for a new record
        for index in 0..<500 {
            let state = try #require(try defence.state(of: key(index)))
            #expect(state.versions(of: "narrative")?.count == 1)
            #expect(state.shownValue(of: "narrative") == .text("round \(min(index / 100, 3))"))
        }
        #expect(try defence.consistencyProblems() == [])
        try defence.push(to: coordinator)
        #expect(try coordinator.canonicalExport().digest() == defence.canonicalExport().digest())
    }

    /// Another connection (another process: the CLI beside the daemon) writes a record: the filter built before
    /// cannot know it, so it must not be trusted after.
    @Test func aRecordWrittenByAnotherConnectionIsFoundByTheNextBatch() throws {
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence, name: "defence")
        let other = try Replica.open(at: defence.directory, logger: .silent)
        let early = (0..<100).map { RecordKey.entry(.defence, year: 2013 + $0, line: "4.a") }
        try defence.write { writer in
            for key in early { try writer.set(key, fields: ["narrative": .text("first")]) }
        }
        let written = RecordKey.entry(.defence, year: 2013, line: "4.b")
        try other.set(written, fields: ["narrative": .text("from the other connection")])
        // When the first connection writes a batch that edits that record
        try defence.write { writer in
            for key in early { try writer.set(key, fields: ["narrative": .text("second")]) }
            try writer.set(written, fields: ["narrative": .text("edited")])
        }
        // Then the edit replaced the other connection's value
        let state = try #require(try defence.state(of: written))
        #expect(state.versions(of: "narrative")?.count == 1)
        #expect(state.shownValue(of: "narrative") == .text("edited"))
        #expect(try defence.consistencyProblems() == [])
    }
}

extension RecordKeyFilterTests {
    /// Building the filter reads every key of the table: a batch builds it only once it has missed one lookup for
    /// every `changesPerMissForKeyFilter` changes the replica holds, so a small batch on a large replica does not.
    @Test func aSmallBatchOnALargeReplicaDoesNotReadTheWholeTable() throws {
        let fixture = try ReplicaFixture()
        let defence = try fixture.make(.defence)
        try defence.write { writer in
            for index in 0..<7_000 { try writer.set(key(index), fields: ["description": .text("held")]) }
        }
        // A new connection, with no snapshot and so no filter: 7,000 changes call for 109 misses before a build
        let reopened = try Replica.open(at: defence.directory, logger: .silent)
        func batch(_ range: Range<Int>) throws -> (built: Bool, vouched: Int) {
            try reopened.transaction { transaction in
                var writer = LocalWriter(transaction: transaction)
                for index in range { try writer.set(key(index), fields: ["description": .text("new")]) }
                transaction = writer.transaction
                return (transaction.recordKeys != nil, transaction.vouchedNew)
            }.0
        }
        let small = try batch(7_000..<7_100)
        #expect(!small.built)
        #expect(small.vouched == 0)
        // 7,100 changes now, and the batch's own 64 when it first weighs a build: 7,164 / 64 = 111 misses, then
        // the other new records known new
        let large = try batch(7_100..<7_400)
        #expect(large.built)
        #expect(large.vouched == 300 - 111)
        #expect(try reopened.state(of: key(7_399))?.shownValue(of: "description") == .text("new"))
        #expect(try reopened.consistencyProblems() == [])
    }
}
