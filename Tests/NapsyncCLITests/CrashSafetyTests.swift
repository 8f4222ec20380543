import Foundation
import Logging
import NAPModel
import SyncCore
import TestSupport
import Testing

/// SIGKILL at random points of a bundle import: after each kill the database is intact, holds either nothing
/// or all of the bundle, keeps every write that was acknowledged before, and the import then completes.
@Suite struct CrashSafetyTests {
    @Test(arguments: [UInt64(1325), 2013]) func killingAnImportAtRandomPointsLosesNothingAcknowledged(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        let directory = try TemporaryDirectory(prefix: "napsync-crash")
        // Given a sender with a few thousand changes and a receiver with writes of its own.
        let sender = try Replica.create(at: directory.appending("defence"), owner: .department(.defence), logger: .silent)
        try sender.write { writer in
            for index in 0..<4_000 {
                let key = RecordKey(kind: .intervention, owner: .department(.defence), id: "sample-\(index)")
                try writer.set(key, fields: ["year": .int(2014), "line": .text("1.a"), "date": .text("2014-03-01"), "description": .text("item \(index)")])
            }
        }
        let bundle = directory.appending("defence.napb")
        try ChangeBundle.write(from: sender, for: VectorClock(), to: bundle, chunkSize: 500, emptySet: { try sender.emptyChangeSet() })
        let receiverDirectory = directory.appending("justice")
        let napsync = try NapsyncProcess()
        _ = try await napsync.succeed(["init", "--data-dir", receiverDirectory.path, "--department", "justice"])

        var acknowledged: [String] = []
        for trial in 0..<6 {
            // When the receiver records something (acknowledged: the command exited 0)...
            let narrative = "trial \(trial)"
            _ = try await napsync.succeed([
                "record", "entry", "--data-dir", receiverDirectory.path, "--line", "3.d", "--year", String(2013 + trial),
                "--status", "ongoing", "--narrative", narrative,
            ])
            acknowledged.append(narrative)
            let before = try Replica.open(at: receiverDirectory, logger: .silent).clock()
            // ...and an import is killed at a random moment,
            let killer = NapsyncProcess(executable: napsync.executable, timeout: .milliseconds(Int64.random(in: 5...400, using: &random)))
            // (`run` throws when it had to kill the process: that is the point here.)
            let finished = (try? await killer.run(["bundle", "import", "--data-dir", receiverDirectory.path, bundle.path])) != nil
            // then the replica is intact and holds all of the bundle or none of it, and every acknowledged write.
            let replica = try Replica.open(at: receiverDirectory, logger: .silent)
            #expect(try replica.integrityProblems().isEmpty, "seed \(seed) trial \(trial)")
            let held = try replica.clock()[sender.nodeID]
            #expect(held == 0 || held == 4_000, "seed \(seed) trial \(trial): partial import of \(held) changes (finished: \(finished))")
            #expect(held == 4_000 || held == before[sender.nodeID])
            let narratives = try replica.snapshot().entries.map(\.narrative)
            for text in acknowledged where !narratives.contains(text) {
                Issue.record("seed \(seed) trial \(trial): acknowledged write '\(text)' lost")
            }
            if held == 4_000 { break }
        }
        // Finally the import completes and the receiver holds everything the sender has.
        _ = try await napsync.succeed(["bundle", "import", "--data-dir", receiverDirectory.path, bundle.path])
        let replica = try Replica.open(at: receiverDirectory, logger: .silent)
        #expect(try replica.clock()[sender.nodeID] == 4_000)
        #expect(try replica.integrityProblems().isEmpty)
    }
}
