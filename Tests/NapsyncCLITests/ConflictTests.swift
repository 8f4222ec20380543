import Foundation
import TestSupport
import Testing

/// Two Defence nodes change the same entry's status while offline: every replica shows the same single
/// conflict, and one resolution closes it everywhere.
@Suite("Conflicts through the CLI")
struct ConflictTests {
    static let entry = "entry/defence/2014/10.a"

    /// Two Defence nodes, the coordinator and Justice, after both Defence nodes changed the status of one entry
    /// concurrently (`done` on the first, `planned` on the second) and the coordinator passed everything on.
    struct ConcurrentEdit {
        let workspace: CLIWorkspace
        let defenceA: CLINode
        let defenceB: CLINode
        let coordinator: CLINode
        let justice: CLINode
        var replicas: [CLINode] { [defenceA, defenceB, coordinator, justice] }

        init() async throws {
            workspace = try CLIWorkspace()
            defenceA = try await workspace.department("defence", name: "defence-a")
            defenceB = try await workspace.department("defence", name: "defence-b")
            coordinator = try await workspace.coordinator()
            justice = try await workspace.department("justice")
            // Both Defence nodes start from the same entry.
            try await defenceA.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
            try await workspace.carry(from: defenceA, to: coordinator)
            try await workspace.carry(from: coordinator, to: defenceB)
            // Offline, each changes its status.
            try await defenceA.record("entry", "--line", "10.a", "--year", "2014", "--status", "done")
            try await defenceB.record("entry", "--line", "10.a", "--year", "2014", "--status", "planned")
            // The coordinator collects both edits and passes them on.
            try await workspace.carry(from: defenceA, to: coordinator)
            try await workspace.carry(from: defenceB, to: coordinator)
            for replica in [defenceA, defenceB, justice] { try await workspace.carry(from: coordinator, to: replica) }
        }
    }

    @Test func concurrentStatusEditsBecomeOneConflictOnEveryReplica() async throws {
        // Given two concurrent status edits, exchanged through the coordinator
        let edit = try await ConcurrentEdit()

        // When each replica lists its open conflicts
        var listings: [[OpenConflict]] = []
        for replica in edit.replicas { listings.append(try await replica.conflicts()) }

        // Then each shows one conflict on the entry's status holding both values, numbered alike everywhere
        for (replica, conflicts) in zip(edit.replicas, listings) {
            #expect(conflicts.count == 1, "\(replica.name): \(conflicts)")
            let conflict = try #require(conflicts.first)
            #expect(conflict.record == Self.entry)
            #expect(conflict.field == "status")
            #expect(conflict.kind == "field")
            #expect(Set(conflict.numberedValues) == ["done", "planned"])
            #expect(conflict == listings[0][0], "\(replica.name) numbers the values differently")
        }
        var statuses: [NodeStatus] = []
        for replica in edit.replicas { statuses.append(try await replica.status()) }
        #expect(statuses.allSatisfy { $0.conflicts == 1 })
        #expect(Set(statuses.map(\.digest)).count == 1)
    }

    @Test func resolvingOnOneNodeClosesTheConflictEverywhereAfterTheNextExchange() async throws {
        // Given the conflict on every replica, and the value it lists second
        let edit = try await ConcurrentEdit()
        let kept = try #require(try await edit.defenceB.conflicts().first).numberedValues[1]

        // When the second Defence node keeps value 2 and the resolution travels through the coordinator
        try await edit.defenceB.succeed(["conflicts", "resolve", Self.entry, "status", "--keep", "2"])
        try await edit.workspace.carry(from: edit.defenceB, to: edit.coordinator)
        for replica in [edit.defenceA, edit.justice] {
            try await edit.workspace.carry(from: edit.coordinator, to: replica)
        }

        // Then no replica has an open conflict, all show the kept status, and all hold the same data
        for replica in edit.replicas {
            #expect(try await replica.conflicts().isEmpty, "\(replica.name) still lists a conflict")
        }
        // (Justice's `show` lists only Justice's records; its digest below covers the entry.)
        for replica in [edit.defenceA, edit.defenceB, edit.coordinator] {
            #expect(try await replica.entries(year: 2014).map(\.status) == [kept], "\(replica.name)")
        }
        var statuses: [NodeStatus] = []
        for replica in edit.replicas { statuses.append(try await replica.status()) }
        #expect(statuses.allSatisfy { $0.conflicts == 0 })
        #expect(Set(statuses.map(\.digest)).count == 1, "digests: \(statuses.map(\.digest))")
    }

    @Test func resolvingAConflictThatIsNotOpenIsRefused() async throws {
        // Given a Defence node without conflicts
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        let before = try await defence.status()

        // When it tries to resolve a conflict on the entry's status
        let result = try await defence.run(["conflicts", "resolve", Self.entry, "status", "--keep", "2"])

        // Then it is refused, the message points to the conflict list, and nothing is written
        #expect(!result.succeeded)
        #expect(result.errorOutput.contains("no open conflict on \(Self.entry) field status"), "\(result)")
        #expect(try await defence.status() == before)
    }
}
