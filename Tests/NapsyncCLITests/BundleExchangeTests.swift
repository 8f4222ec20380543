import Foundation
import TestSupport
import Testing

/// Departments that never meet exchange bundle files through the coordinator, and all end with the same dataset.
@Suite("Bundle exchange through the CLI")
struct BundleExchangeTests {
    @Test func twoDepartmentsAndTheCoordinatorConvergeThroughBundles() async throws {
        // Given Defence, Justice and the coordinator, each with its own records
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        let justice = try await workspace.department("justice")
        let coordinator = try await workspace.coordinator()
        try await defence.record(
            "entry", "--line", "10.a", "--year", "2014", "--status", "ongoing", "--narrative", "Gender advisers trained"
        )
        try await defence.record(
            "intervention", "--line", "10.a", "--year", "2014", "--date", "2014-05-12", "--country", "COD",
            "--description", "Training of trainers", "--budget", "12500.50")
        try await defence.record("figure", "--instrument", "10.a/1", "--year", "2014", "--women", "12", "--men", "30")
        try await justice.record("entry", "--line", "3.a", "--year", "2014", "--status", "done")
        try await justice.record("figure", "--instrument", "14.c/1", "--year", "2014", "--answer", "yes")
        try await coordinator.record("review", "--line", "10.a", "--year", "2014", "--note", "On track")

        // When Defence hands a full bundle to the coordinator, Justice one made for the coordinator's clock,
        // and the coordinator passes on to each department what it lacks
        let fromDefence = try await coordinator.importBundle(try await defence.exportBundle(named: "defence-all"))
        let fromJustice = try await workspace.carry(from: justice, to: coordinator)
        let toJustice = try await workspace.carry(from: coordinator, to: justice)
        let toDefence = try await workspace.carry(from: coordinator, to: defence)

        // Then every bundle carried exactly what its receiver lacked
        #expect(fromDefence.applied == 3)
        #expect(fromJustice.applied == 2)
        #expect(toJustice.applied == 4)  // Defence's three changes and the review
        #expect(toDefence.applied == 3)  // Justice's two changes and the review
        #expect([fromDefence, fromJustice, toJustice, toDefence].allSatisfy { $0.alreadyKnown == 0 })

        // And the three replicas hold the same data: same digest, same clock, byte-identical exports
        let statuses = try await [defence.status(), justice.status(), coordinator.status()]
        #expect(Set(statuses.map(\.digest)).count == 1, "digests: \(statuses.map(\.digest))")
        #expect(Set(statuses.map(\.clock)).count == 1, "clocks: \(statuses.map(\.clock))")
        #expect(statuses.allSatisfy { $0.clock.count == 3 && $0.records == 6 })
        let exports = try await [defence.export(), justice.export(), coordinator.export()]
        #expect(!exports[0].isEmpty)
        #expect(exports[1] == exports[0])
        #expect(exports[2] == exports[0])
    }

    @Test func importingTheSameBundleTwiceAppliesNothingTheSecondTime() async throws {
        // Given a bundle of three Defence changes, imported once by the coordinator
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        let coordinator = try await workspace.coordinator()
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        try await defence.record("entry", "--line", "15", "--year", "2014", "--status", "planned")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "done")
        let bundle = try await defence.exportBundle(named: "defence")
        let first = try await coordinator.importBundle(bundle)
        let afterFirst = try await coordinator.status()

        // When it imports the same bundle again
        let second = try await coordinator.importBundle(bundle)

        // Then the second import applies nothing, recognises every change, and changes nothing
        #expect(first.applied == 3)
        #expect(second.applied == 0)
        #expect(second.alreadyKnown == 3)
        #expect(second.conflictsOpened == 0)
        #expect(try await coordinator.status() == afterFirst)
    }

    @Test func aBundleForAReceiverThatLacksNothingCarriesNoChanges() async throws {
        // Given a coordinator that already holds everything Defence recorded
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        let coordinator = try await workspace.coordinator()
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        try await workspace.carry(from: defence, to: coordinator)
        let before = try await coordinator.status()

        // When Defence exports for the coordinator's clock again and the coordinator imports it
        let report = try await workspace.carry(from: defence, to: coordinator)

        // Then nothing is applied and nothing changes
        #expect(report.applied == 0)
        #expect(report.alreadyKnown == 0)
        #expect(try await coordinator.status() == before)
    }
}
