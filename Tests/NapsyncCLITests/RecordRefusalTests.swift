import Foundation
import TestSupport
import Testing

/// `napsync record` refuses invalid input before writing anything, and the message names the field at fault.
@Suite("record refusals through the CLI")
struct RecordRefusalTests {
    /// A record command a Defence node must refuse, and what the message must say.
    struct Refusal: CustomTestStringConvertible, Sendable {
        var testDescription: String
        var arguments: [String]
        /// Phrases the message must contain: the field and the rejected value.
        var mentions: [String]

        static let all: [Refusal] = [
            Refusal(
                testDescription: "a line Defence is not responsible for",
                arguments: ["entry", "--line", "3.a", "--year", "2014", "--status", "ongoing"],
                mentions: ["line 3.a", "not responsible", "justice"]),
            Refusal(
                testDescription: "a figure for another department's instrument",
                arguments: ["figure", "--instrument", "3.a/1", "--year", "2014", "--women", "1"],
                mentions: ["line 3.a", "not responsible"]),
            Refusal(
                testDescription: "an unknown line",
                arguments: ["entry", "--line", "99.z", "--year", "2014", "--status", "ongoing"],
                mentions: ["line of action", "99.z"]),
            Refusal(
                testDescription: "a year after the range",
                arguments: ["entry", "--line", "10.a", "--year", "2099", "--status", "ongoing"],
                mentions: ["year", "2099"]),
            Refusal(
                testDescription: "a year before the plan",
                arguments: ["figure", "--instrument", "10.a/1", "--year", "2012", "--women", "1"],
                mentions: ["year", "2012"]),
            Refusal(
                testDescription: "an impossible date",
                arguments: intervention(date: "2014-13-45"),
                mentions: ["date", "2014-13-45", "YYYY-MM-DD"]),
            Refusal(
                testDescription: "a date in another format",
                arguments: intervention(date: "12/05/2014"),
                mentions: ["date", "12/05/2014"]),
            Refusal(
                testDescription: "a country code that does not exist",
                arguments: intervention(extra: ["--country", "XYZ"]),
                mentions: ["country", "XYZ"]),
            Refusal(
                testDescription: "a two-letter country code",
                arguments: intervention(extra: ["--country", "CD"]),
                mentions: ["country", "CD"]),
            Refusal(
                testDescription: "an unknown instrument",
                arguments: ["figure", "--instrument", "10.a/9", "--year", "2014", "--women", "1"],
                mentions: ["instrument", "10.a/9"]),
            Refusal(
                testDescription: "an unknown status",
                arguments: ["entry", "--line", "10.a", "--year", "2014", "--status", "finished"],
                mentions: ["status", "finished"]),
            Refusal(
                testDescription: "a budget with a comma",
                arguments: intervention(extra: ["--budget", "12,50"]),
                mentions: ["budget", "12,50"]),
        ]

        static func intervention(date: String = "2014-05-12", extra: [String] = []) -> [String] {
            ["intervention", "--line", "10.a", "--year", "2014", "--date", date, "--description", "Training"] + extra
        }
    }

    @Test(arguments: Refusal.all)
    func invalidInputIsRefusedAndNothingIsRecorded(_ refusal: Refusal) async throws {
        // Given a Defence node that already holds an entry
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        try await defence.record("entry", "--line", "10.a", "--year", "2014", "--status", "ongoing")
        let before = try await defence.status()

        // When it records the invalid input
        let result = try await defence.run(["record"] + refusal.arguments)

        // Then the command fails, the message names the field and value, and nothing was recorded
        #expect(!result.succeeded, "\(result)")
        for phrase in refusal.mentions {
            #expect(result.errorOutput.contains(phrase), "the message does not mention '\(phrase)': \(result)")
        }
        #expect(!result.output.contains("recorded"), "\(result)")
        let after = try await defence.status()
        #expect(after.clock == before.clock)
        #expect(after.digest == before.digest)
    }

    @Test func theCoordinatorIsRefusedDepartmentData() async throws {
        // Given the coordinator
        let workspace = try CLIWorkspace()
        let coordinator = try await workspace.coordinator()
        let before = try await coordinator.status()

        // When it records a progress entry
        let result = try await coordinator.run([
            "record", "entry", "--line", "10.a", "--year", "2014", "--status", "done",
        ])

        // Then it is refused and pointed to reviews, and nothing was recorded
        #expect(!result.succeeded)
        #expect(result.errorOutput.contains("record review"), "\(result)")
        #expect(try await coordinator.status() == before)
    }
}
