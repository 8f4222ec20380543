import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

/// A local write stores its change and its record and nothing else: this node's clock entry, the arrival time
/// of its own data and the hybrid time are read back from the change log when a replica is opened. These tests
/// reopen a replica (a new connection, so nothing is cached) and check that nothing was lost on the way.
@Suite struct ChangeLogClockTests {
    let fixture: ReplicaFixture
    init() throws { fixture = try ReplicaFixture() }

    /// Writes `count` local changes in one transaction: faster than one per millisecond, so their hybrid times
    /// run ahead of the wall clock, which is what a resumed clock must not fall back from.
    func writeBurst(_ replica: Replica, count: Int) throws -> Change {
        try replica.write { writer in
            var last: Change?
            for index in 0..<count {
                last = try writer.set(
                    RecordKey.entry(.defence, year: 2014, line: "4.a"), fields: ["narrative": .text("draft \(index)")])
            }
            return last!
        }
    }

    @Test func aReopenedReplicaResumesItsClockFromTheChangeLog() throws {
        // Given a department that wrote a burst of local changes, the last one ahead of the wall clock
        let defence = try fixture.make(.defence, name: "defence")
        let last = try writeBurst(defence, count: 5_000)
        #expect(last.seq == 5_000)
        #expect(last.time > Int64(Date().timeIntervalSince1970 * 1000))
        // When the replica is opened again and writes once more
        let reopened = try Replica.open(at: fixture.directory.appending("defence"), logger: .silent)
        let next = try #require(
            try reopened.set(RecordKey.entry(.defence, year: 2014, line: "4.a"), fields: ["status": .text("done")]))
        // Then its sequence and hybrid time continue after the burst, and a peer's delta is complete
        #expect(try reopened.clock()[reopened.nodeID] == 5_001)
        #expect(next.seq == 5_001)
        #expect(next.time > last.time)
        let coordinator = try fixture.make(.coordinator)
        let set = try #require(try reopened.changeSet(missingFrom: VectorClock(), maxChanges: 10_000))
        #expect(set.changeCount == 5_001)
        #expect(try coordinator.apply(changeSet: set.data).applied == 5_001)
        #expect(try coordinator.canonicalExport().digest() == reopened.canonicalExport().digest())
    }

    @Test func ownDataArrivesWhenItWasWritten() throws {
        // Given a department that wrote, reopened
        let defence = try fixture.make(.defence, name: "defence")
        let change = try #require(
            try defence.set(RecordKey.entry(.defence, year: 2015, line: "4.a"), fields: ["status": .text("ongoing")]))
        let reopened = try Replica.open(at: fixture.directory.appending("defence"), logger: .silent)
        // Then its snapshot dates its own data by its last change
        let received = try #require(try reopened.snapshot().lastReceived[Department.defence.rawValue])
        #expect(received == Date(timeIntervalSince1970: Double(change.time) / 1000))
    }

    @Test func receivedChangesStillMoveTheClockRow() throws {
        // Given a coordinator that received a department's burst, whose last change time runs ahead of the wall
        // clock, then was reopened
        let defence = try fixture.make(.defence)
        let coordinator = try fixture.make(.coordinator, name: "coordinator")
        let last = try writeBurst(defence, count: 5_000)
        try defence.push(to: coordinator)
        #expect(last.time > Int64(Date().timeIntervalSince1970 * 1000))
        let reopened = try Replica.open(at: fixture.directory.appending("coordinator"), logger: .silent)
        // Then it holds the department's clock entry and dates its arrival by when it was received, as its origin
        // row says: read from the change log, the date would be the last change's, in the future
        #expect(try reopened.clock()[defence.nodeID] == 5_000)
        let received = try #require(try reopened.snapshot().lastReceived[Department.defence.rawValue])
        #expect(abs(received.timeIntervalSinceNow) < 60)
        #expect(received <= Date())
    }

    @Test func digestsSpreadOverThreadsAreTheSequentialOnes() throws {
        // Given enough changes to split
        let defence = try fixture.make(.defence)
        _ = try writeBurst(defence, count: 5_000)
        let set = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 10_000))
        let changes = try ChangeSetFormat.decode(set.data, sender: "test").changes
        // Then hashing on 3 threads gives the same digests, in the same order, as hashing one by one
        let sequential = changes.map(ChangeChain.digest)
        #expect(ChangeChain.digests(of: changes, workers: 3) == sequential)
        #expect(ChangeChain.digests(of: changes, workers: 1) == sequential)
        #expect(ChangeChain.digests(of: Array(changes.prefix(2)), workers: 3) == Array(sequential.prefix(2)))
        #expect(Set(sequential).count == changes.count)
    }
}
