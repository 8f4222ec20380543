import Foundation
import SyncCore
import TestSupport
import Testing

/// `napsync check`: what an operator runs when napsync reports the replica's stored data as inconsistent.
@Suite("napsync check")
struct CheckTests {
    @Test func aSoundReplicaPassesAndADamagedOneIsListedWithWhatToDo() async throws {
        // Given a department node that has recorded an entry
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        try await defence.record("entry", "--line", "1.a", "--year", "2014", "--status", "ongoing")
        // Then its replica checks sound
        let sound = try await defence.succeed(["check"])
        #expect(sound.output.contains("is sound"), "\(sound)")

        // When its origins are renumbered behind its back
        try ReplicaDamage.renumberOrigins(inReplicaAt: defence.directory)
        // Then the check exits 1, names the damaged record, and says what to do
        let damaged = try await defence.run(["check"])
        #expect(damaged.status == 1, "\(damaged)")
        #expect(damaged.output.contains("record entry/defence/2014/1.a:"), "\(damaged)")
        #expect(damaged.output.contains(ReplicaError.repairAdvice), "\(damaged)")
    }
}
