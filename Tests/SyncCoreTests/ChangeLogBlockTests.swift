import Foundation
import GRDB
import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// The change log keeps runs of one origin's consecutive changes as blocks (`ChangeBlock`). These check what
/// blocks must not change: a peer is served exactly what it lacks from any point inside a block, in order; the
/// chain value after any change is what the origin signed; and a replica written with one row per change (schema
/// v2, and v1 rows without digest or chain value) is moved into blocks without losing or altering anything.
@Suite struct ChangeLogBlockTests {
    let network: JoinedNetwork
    /// More than two blocks of one origin, written in one transaction.
    static let runLength = 2 * ChangeBlock.maxChanges + 88

    init() throws {
        network = try JoinedNetwork()
        try network.defence.write { writer in
            for index in 0..<Self.runLength {
                let line = ["1.a", "3.d", "5.a", "5.b"][index % 4]
                try writer.set(.entry(.defence, year: 2013 + index % 4, line: line), fields: ["narrative": .text("draft \(index)")])
            }
        }
    }

    /// The (first, last) sequence numbers of each block of `node` in `replica`, in log order.
    func blocks(of node: NodeID, in replica: Replica) throws -> [ClosedRange<UInt64>] {
        try replica.database.read { db in
            let origins = try OriginDirectory(db)
            let index = try #require(origins.index(of: node))
            return try Row.fetchAll(
                db, sql: "SELECT first_seq, last_seq FROM change_block WHERE origin = ? ORDER BY id", arguments: [index]
            ).map { UInt64($0["first_seq"] as Int64)...UInt64($0["last_seq"] as Int64) }
        }
    }

    @Test func aRunOfOneTransactionIsStoredAsFullBlocks() throws {
        let defence = network.defence
        let full = UInt64(ChangeBlock.maxChanges)
        #expect(try blocks(of: defence.nodeID, in: defence) == [1...full, (full + 1)...(2 * full), (2 * full + 1)...UInt64(Self.runLength)])
    }

    @Test func aPeerIsServedWhatItLacksFromAnyPointInsideABlock() throws {
        let defence = network.defence
        let all = try ChangeSetFormat.decode(
            try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 10_000, compression: .fast)).data, sender: "test"
        ).changes
        #expect(all.map(\.seq) == Array(1...UInt64(Self.runLength)))
        let block = UInt64(ChangeBlock.maxChanges)
        for held in [0, 1, block - 1, block, block + 1, block + 30, 2 * block + 87] {
            let peer = VectorClock([defence.nodeID: held])
            let outgoing = try #require(try defence.changeSet(missingFrom: peer, maxChanges: 100, compression: .fast))
            let served = try ChangeSetFormat.decode(outgoing.data, sender: "test").changes
            let expected = Array(all[Int(held)..<min(Int(held) + 100, Self.runLength)])
            #expect(served == expected, "peer holding \(held)")
            #expect(outgoing.hasMore == (Int(held) + 100 < Self.runLength), "peer holding \(held)")
            #expect(outgoing.peerClockAfter[defence.nodeID] == held + UInt64(served.count), "peer holding \(held)")
        }
    }

    @Test func theChainInsideABlockIsTheOneTheOriginSigns() throws {
        // Given a coordinator that received defence's run in chunks that end inside blocks
        let (coordinator, defence, justice) = (network.coordinator, network.defence, network.justice)
        #expect(try defence.push(to: coordinator, chunk: 100) == Self.runLength)
        // Then the chain after every change, read from either log, is the chain of the changes themselves
        let changes = try ChangeSetFormat.decode(
            try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 10_000, compression: .fast)).data, sender: "test"
        ).changes
        var chain = ChangeChain.genesis(defence.nodeID)
        var expected: [ChainHash] = []
        for change in changes {
            chain = ChangeChain.next(chain, ChangeChain.digest(change))
            expected.append(chain)
        }
        for replica in [defence, coordinator] {
            let stored = try replica.database.read { db in
                let index = try #require(try OriginDirectory(db).index(of: defence.nodeID))
                return try (1...UInt64(Self.runLength)).map { try ChangeLog.chain(after: $0, of: defence.nodeID, origin: index, db: db) }
            }
            #expect(stored == expected)
        }
        // And a relay of a chunk that ends inside a block carries a proof justice verifies
        #expect(try coordinator.push(to: justice, chunk: 70) == Self.runLength)
        #expect(try justice.canonicalExport().digest() == defence.canonicalExport().digest())
    }

    @Test func aBundleThatRepeatsItsSetsAppliesEachChangeOnce() throws {
        let (defence, justice) = (network.defence, network.justice)
        let set = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 10_000, compression: .fast)).data
        var sets = [set, set, set][...]
        let report = try justice.apply(changeSets: { sets.popFirst() }, from: "test")
        #expect(report.applied == Self.runLength)
        #expect(report.alreadyKnown == 2 * Self.runLength)
        #expect(try justice.canonicalExport().digest() == defence.canonicalExport().digest())
    }

    @Test func aReplayThatInterleavesOriginsIsRecognisedAsKnown() throws {
        // Given unjoined nodes (so that a set can be rebuilt without signatures): a coordinator holding long runs
        // of defence's and justice's changes
        let fixture = try ReplicaFixture()
        let coordinator = try fixture.make(.coordinator)
        var runs: [[Change]] = []
        for (department, line) in [(Department.defence, "1.a"), (.justice, "9")] {
            let node = try fixture.make(department)
            try node.write { writer in
                for index in 0..<Self.runLength {
                    try writer.set(.entry(department, year: 2013 + index % 4, line: line), fields: ["n": .int(Int64(index))])
                }
            }
            try node.push(to: coordinator)
            let set = try #require(try node.changeSet(missingFrom: VectorClock(), maxChanges: 10_000, compression: .fast))
            runs.append(try ChangeSetFormat.decode(set.data, sender: "test").changes)
        }
        let digest = try coordinator.canonicalExport().digest()
        // When the same changes come back with the two origins interleaved change by change
        let interleaved = zip(runs[0], runs[1]).flatMap { [$0, $1] }
        let owners = Dictionary(uniqueKeysWithValues: zip([runs[0][0].origin, runs[1][0].origin], ["defence", "justice"]))
        let set = try ChangeSetFormat.encode(
            interleaved, owners: owners, sender: coordinator.nodeID, datasetID: coordinator.identity.datasetID)
        let report = try coordinator.apply(changeSet: set, from: "test")
        // Then every one is found among the blocks already held, and nothing changes
        #expect(report.alreadyKnown == 2 * Self.runLength)
        #expect(report.applied == 0)
        #expect(try coordinator.canonicalExport().digest() == digest)
    }

    @Test func aReplicaWithOneRowPerChangeIsMovedIntoBlocks() throws {
        // Given a coordinator holding defence's and justice's changes, interleaved, some in one set
        let (coordinator, defence, justice) = (network.coordinator, network.defence, network.justice)
        try defence.push(to: coordinator, chunk: 150)
        for round in 0..<3 {
            try justice.write { writer in
                try writer.set(.entry(.justice, year: 2014, line: "9"), fields: ["narrative": .text("round \(round)")])
            }
            try justice.push(to: coordinator)
        }
        let clock = try coordinator.clock()
        let digest = try coordinator.canonicalExport().digest()
        let served = try ChangeSetFormat.decode(
            try #require(try coordinator.changeSet(missingFrom: VectorClock(), maxChanges: 10_000, compression: .fast)).data, sender: "test"
        ).changes
        let chains = try Self.everyChain(in: coordinator)
        // When its log is written back as the v2 schema held it, justice's rows as v1 left them (no digest, no
        // chain value), and the replica is opened again
        try Self.downgradeToOneRowPerChange(coordinator, withoutChainFor: justice.nodeID)
        let reopened = try Replica.open(at: coordinator.directory, logger: .silent)
        // Then it holds the same log, in the same order, with the same chain
        #expect(try reopened.clock() == clock)
        #expect(try reopened.canonicalExport().digest() == digest)
        let outgoing = try #require(try reopened.changeSet(missingFrom: VectorClock(), maxChanges: 10_000, compression: .fast))
        #expect(try ChangeSetFormat.decode(outgoing.data, sender: "test").changes == served)
        #expect(try Self.everyChain(in: reopened) == chains)
        #expect(try reopened.consistencyProblems() == [])
        // And it goes on from there: justice's next signed change extends the chain the replica now holds
        try justice.write { writer in
            try writer.set(.entry(.justice, year: 2015, line: "9"), fields: ["narrative": .text("after the move")])
        }
        #expect(try justice.push(to: reopened) == 1)
        // And a joined node that lacks everything verifies and applies what it serves
        let newcomer = try network.fixture.make(.justice, name: "newcomer")
        try network.fixture.join([newcomer], to: reopened)
        #expect(try newcomer.apply(changeSet: outgoing.data, from: "test").applied == served.count)
        #expect(try newcomer.canonicalExport().digest() == digest)
    }

    /// The chain value after every change `replica` holds, by origin.
    static func everyChain(in replica: Replica) throws -> [NodeID: [ChainHash]] {
        try replica.database.read { db in
            let origins = try OriginDirectory(db)
            var chains: [NodeID: [ChainHash]] = [:]
            for entry in origins.entries where entry.seq > 0 {
                chains[entry.node] = try (1...entry.seq).map { try ChangeLog.chain(after: $0, of: entry.node, origin: entry.index, db: db) }
            }
            return chains
        }
    }

    /// Rewrites `replica`'s change log as schema v2 stored it (a `change` row per change, in log order) and
    /// forgets the v3 migration; rows of `bare` get no digest and no chain value, as in schema v1.
    static func downgradeToOneRowPerChange(_ replica: Replica, withoutChainFor bare: NodeID) throws {
        try replica.database.writeWithoutTransaction { db in
            try db.inTransaction {
                let origins = try OriginDirectory(db)
                try db.execute(
                    sql: """
                        CREATE TABLE change (
                            id INTEGER PRIMARY KEY, origin INTEGER NOT NULL REFERENCES origin(idx), seq INTEGER NOT NULL,
                            time INTEGER NOT NULL, record TEXT NOT NULL, body BLOB NOT NULL, digest BLOB, chain BLOB
                        );
                        CREATE UNIQUE INDEX change_origin_seq ON change(origin, seq);
                        """)
                let blocks = try Row.fetchAll(db, sql: "SELECT origin, first_seq, last_seq, chain, changes FROM change_block ORDER BY id")
                for row in blocks {
                    let index: Int64 = row["origin"]
                    let node = try #require(origins.node(at: index))
                    let block = ChangeLog.Block(
                        origin: index, firstSeq: UInt64(row["first_seq"] as Int64), lastSeq: UInt64(row["last_seq"] as Int64),
                        chain: try #require(ChainHash(row["chain"] as Data)), bytes: [UInt8](row["changes"] as Data))
                    var chain = try ChangeLog.chain(after: block.firstSeq - 1, of: node, origin: index, db: db)
                    for entry in try block.entries() {
                        chain = ChangeChain.next(chain, entry.digest)
                        var body = entry.body
                        let bodyBytes = Data(try body.raw(body.remaining))
                        let keep = node != bare
                        try db.execute(
                            sql: "INSERT INTO change (origin, seq, time, record, body, digest, chain) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            arguments: [
                                index, Int64(entry.seq), entry.time, entry.recordText, bodyBytes, keep ? entry.digest.data : nil,
                                keep ? chain.data : nil,
                            ])
                    }
                    #expect(chain == block.chain)
                }
                try db.execute(sql: "DROP TABLE change_block")
                try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v3-change-blocks'")
                return .commit
            }
        }
    }
}
