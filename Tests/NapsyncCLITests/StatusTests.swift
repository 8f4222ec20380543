import Foundation
import TestSupport
import Testing

/// `napsync status --json` is what scripts and `bundle export --for` read: its keys are a contract.
@Suite("status --json through the CLI")
struct StatusTests {
    static func isHex(_ text: String, length: Int) -> Bool {
        text.count == length && text.allSatisfy(\.isHexDigit) && text == text.lowercased()
    }

    @Test(arguments: [(["--department", "defence"], "defence"), (["--coordinator"], "coordinator")])
    func statusJSONNamesTheNodeItsDepartmentItsClockAndItsDigest(initArguments: [String], department: String)
        async throws
    {
        // Given a new node
        let workspace = try CLIWorkspace()
        let node = workspace.emptyNode(department)
        try await node.succeed(["init"] + initArguments)

        // When its status is asked for as JSON
        let result = try await node.succeed(["status", "--json"])

        // Then the object has node, department, clock and digest, with the expected shapes
        let object = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any], "\(result)")
        for key in ["node", "department", "clock", "digest"] {
            #expect(object[key] != nil, "missing key \(key): \(result)")
        }
        let status: NodeStatus = try result.json()
        #expect(Self.isHex(status.node, length: 32), "node: \(status.node)")
        #expect(status.department == department)
        #expect(status.clock.isEmpty)
        #expect(Self.isHex(status.digest, length: 64), "digest: \(status.digest)")
    }

    @Test func recordingAdvancesTheNodesOwnClockEntryAndChangesTheDigest() async throws {
        // Given a new Defence node
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        let before = try await defence.status()

        // When it records two changes
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "done")

        // Then its clock counts them under its own node id, and the digest moved
        let after = try await defence.status()
        #expect(after.node == before.node)
        #expect(after.clock == [before.node: 2])
        #expect(after.digest != before.digest)
    }
}
