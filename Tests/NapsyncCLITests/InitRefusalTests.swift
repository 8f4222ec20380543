import Foundation
import TestSupport
import Testing

/// `napsync init` refuses what would create a useless node or destroy an existing one, and says what to do.
@Suite("init refusals through the CLI")
struct InitRefusalTests {
    /// Every department the plan makes responsible for some line, from `napsync plan --json`.
    static func planDepartments(_ napsync: NapsyncProcess) async throws -> Set<String> {
        struct Plan: Decodable {
            struct Objective: Decodable { var goals: [Goal] }
            struct Goal: Decodable { var lines: [Line] }
            struct Line: Decodable { var departments: [String] }
            var objectives: [Objective]
        }
        let plan: Plan = try await napsync.succeed(["plan", "--json"]).json()
        return Set(plan.objectives.flatMap(\.goals).flatMap(\.lines).flatMap(\.departments))
    }

    @Test func anUnknownDepartmentIsRefusedWithTheListOfValidNames() async throws {
        // Given an empty directory
        let workspace = try CLIWorkspace()
        let node = workspace.emptyNode("navy")

        // When a node is created for a department that does not exist
        let result = try await node.run(["init", "--department", "navy"])

        // Then it is refused, the message names the bad value and every department of the plan
        #expect(!result.succeeded)
        #expect(result.errorOutput.contains("unknown department 'navy'"), "\(result)")
        let departments = try await Self.planDepartments(workspace.napsync)
        #expect(departments.contains("defence") && departments.contains("justice"))
        for department in departments.sorted() {
            #expect(result.errorOutput.contains(department), "the message does not list \(department): \(result)")
        }
        // And no replica was created
        let status = try await node.run(["status", "--json"])
        #expect(!status.succeeded)
        #expect(status.errorOutput.contains("no replica in"), "\(status)")
    }

    @Test func initOnAnExistingReplicaWithoutForceIsRefused() async throws {
        // Given a Defence replica holding a record
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        let before = try await defence.status()

        // When init runs again on its directory, for another department, without --force
        let result = try await defence.run(["init", "--department", "justice"])

        // Then it is refused with the way out, and the replica is untouched: same node, department and data
        #expect(!result.succeeded)
        #expect(result.errorOutput.contains("already holds a replica"), "\(result)")
        #expect(result.errorOutput.contains("--force"), "\(result)")
        #expect(try await defence.status() == before)
    }

    @Test func initWithForceReplacesTheReplica() async throws {
        // Given a Defence replica holding a record
        let workspace = try CLIWorkspace()
        let node = try await workspace.department("defence")
        try await node.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        let before = try await node.status()

        // When init runs again with --force, for Justice
        try await node.succeed(["init", "--department", "justice", "--force"])

        // Then the directory holds a new, empty Justice node
        let after = try await node.status()
        #expect(after.node != before.node)
        #expect(after.department == "justice")
        #expect(after.clock.isEmpty)
        #expect(after.records == 0)
    }
}
