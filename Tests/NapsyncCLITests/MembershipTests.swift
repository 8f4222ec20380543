import Foundation
import TestSupport
import Testing

/// The network through the command line: the coordinator founds it, departments join with files, data then
/// flows signed, and a node that never joined is refused and quarantined.
@Suite struct MembershipTests {
    struct TrustStatus: Decodable {
        var network: String?
        var quarantined: Int
        var lastRefusal: String?
    }

    func join(_ node: CLINode, via coordinator: CLINode, in workspace: CLIWorkspace) async throws {
        let request = workspace.file("\(node.name).request")
        let admission = workspace.file("\(node.name).admission")
        try await node.succeed(["join", "request", "--out", request.path])
        try await coordinator.succeed(["admit", request.path, "--out", admission.path])
        try await node.succeed(["join", "install", admission.path])
    }

    func trust(_ node: CLINode) async throws -> TrustStatus {
        try JSONDecoder().decode(TrustStatus.self, from: try await node.succeed(["status", "--json"]).stdout)
    }

    @Test func joinedNodesExchangeSignedDataAndAnOutsiderIsQuarantined() async throws {
        // Given a network founded by the coordinator, with Defence and Justice admitted through files,
        let workspace = try CLIWorkspace()
        let coordinator = try await workspace.coordinator()
        try await coordinator.succeed(["network", "create"])
        let defence = try await workspace.department("defence")
        let justice = try await workspace.department("justice")
        try await join(defence, via: coordinator, in: workspace)
        try await join(justice, via: coordinator, in: workspace)
        let network = try await trust(coordinator).network
        #expect(network != nil)
        #expect(try await trust(defence).network == network)

        // when Defence records and its data travels through the coordinator to Justice,
        try await defence.record("entry", "--line", "1.a", "--year", "2014", "--status", "done")
        try await workspace.carry(from: defence, to: coordinator)
        try await workspace.carry(from: coordinator, to: justice)

        // then all three hold the same data.
        let digests = try await [defence.status().digest, coordinator.status().digest, justice.status().digest]
        #expect(Set(digests).count == 1)

        // When a node that never joined sends a bundle, the coordinator refuses it, changes nothing and keeps it.
        let outsider = try await workspace.department("defence", name: "outsider")
        try await outsider.record("entry", "--line", "3.d", "--year", "2014", "--status", "planned")
        let bundle = try await outsider.exportBundle(named: "outsider", for: nil)
        let refused = try await coordinator.run(["bundle", "import", bundle.path])
        #expect(!refused.succeeded)
        #expect(refused.errorOutput.contains("cannot be trusted"), "\(refused.errorOutput)")
        #expect(try await coordinator.status().digest == digests[0])
        let afterRefusal = try await trust(coordinator)
        #expect(afterRefusal.quarantined == 1)
        #expect(afterRefusal.lastRefusal?.contains("no membership certificate") == true, "the reason shows in status")
        let listing = try await coordinator.succeed(["quarantine", "list"]).output
        #expect(listing.contains("no membership certificate"))
    }

    @Test func onlyTheCoordinatorAdmits() async throws {
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        let request = workspace.file("defence.request")
        try await defence.succeed(["join", "request", "--out", request.path])
        let attempt = try await defence.run(["admit", request.path, "--out", workspace.file("x").path])
        #expect(!attempt.succeeded)
        #expect(attempt.errorOutput.contains("only the coordinator"))
    }
}
