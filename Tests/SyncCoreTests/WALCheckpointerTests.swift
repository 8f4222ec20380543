import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

/// A replica's writer leaves its write-ahead log alone; `WALCheckpointer` copies it into the database file.
@Suite struct WALCheckpointerTests {
    static func databaseBytes(_ replica: Replica) throws -> Int {
        let path = replica.directory.appendingPathComponent(Replica.databaseFileName).path
        return try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? -1
    }

    @Test func theWriterLeavesTheLogToTheCheckpointer() throws {
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.defence)
        #expect(try replica.writerSettings().walAutocheckpoint == Replica.autocheckpointPages)
        let before = try Self.databaseBytes(replica)
        // Given more commits than SQLite's automatic checkpoint lets the log hold (1,000 frames)
        for index in 0..<400 {
            try replica.set(.entry(.defence, year: 2013 + index % 4, line: "1.a"), fields: ["narrative": .text("draft \(index)")])
        }
        // Then nothing was copied into the database file yet
        #expect(try Self.databaseBytes(replica) == before)
        // When the checkpointer runs, it copies the whole log
        let result = try replica.walCheckpointer().checkpoint()
        #expect(result.logFrames > 1_000)
        #expect(result.checkpointedFrames == result.logFrames)
        #expect(try Self.databaseBytes(replica) > before)
    }

    @Test func aReplicaLeavesNoLogWhenItsLastConnectionCloses() throws {
        // Given a replica written past SQLite's automatic checkpoint threshold, as a command would write it
        let fixture = try ReplicaFixture()
        var directory: URL?
        do {
            let replica = try fixture.make(.defence)
            directory = replica.directory
            for index in 0..<400 {
                try replica.set(.entry(.defence, year: 2013 + index % 4, line: "1.a"), fields: ["narrative": .text("draft \(index)")])
            }
            #expect(FileManager.default.fileExists(atPath: replica.directory.appendingPathComponent(Replica.databaseFileName + "-wal").path))
        }
        // When the command ends (the replica is released), then the log is in the database file and gone
        let folder = try #require(directory)
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(Replica.databaseFileName + "-wal").path))
        let reopened = try Replica.open(at: folder, logger: .silent)
        #expect(try reopened.clock()[reopened.nodeID] == 400)
    }

    @Test func aWriterWithNoCheckpointerCheckpointsPastTheBackstop() throws {
        // Given a replica no checkpointer looks after, as `napsync sync` run without a daemon
        let fixture = try ReplicaFixture()
        let replica = try fixture.make(.defence)
        let before = try Self.databaseBytes(replica)
        // When one transaction commits more log pages than the backstop (10,000 pages of 4 KiB)
        let narrative = String(repeating: "long narrative ", count: 1_100)
        try replica.write { writer in
            for index in 0..<3_000 {
                try writer.set(
                    .figure(.defence, year: 2013 + index % 4, instrument: "23.b/\(index)"), fields: ["note": .text(narrative)])
            }
        }
        // Then the writer itself copied the log into the database file
        #expect(try Self.databaseBytes(replica) > before + 10_000 * 4_096)
    }
}
