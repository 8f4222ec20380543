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
        #expect(try replica.writerSettings().walAutocheckpoint == 0)
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
}
