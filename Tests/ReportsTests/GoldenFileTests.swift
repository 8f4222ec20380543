import Foundation
import NAPModel
import Reports
import Testing

/// Golden files pin the exact bytes of every rendered format for the scenario.
///
/// To regenerate them after an intended change, run
///
///     NAPSYNC_UPDATE_GOLDEN=1 swift test --filter ReportsTests.GoldenFileTests
///
/// which writes the files into `Tests/ReportsTests/Golden/` (the source folder, not the built bundle) and fails
/// each test once so that a regeneration is never mistaken for a pass; then review the diff with `git diff` and
/// run the tests again without the variable.
@Suite("Golden files of every rendered format")
struct GoldenFileTests {
    static let update = ProcessInfo.processInfo.environment["NAPSYNC_UPDATE_GOLDEN"] == "1"

    static func parliament() -> ParliamentReport {
        ParliamentReport(plan: Scenario.plan, snapshot: Scenario.snapshot, options: Scenario.options)
    }

    static func eu() throws -> IndicatorResponse {
        try IndicatorResponse.eu(
            plan: Scenario.plan, snapshot: Scenario.snapshot, frameworks: Scenario.frameworks(),
            options: Scenario.options)
    }

    static func un() throws -> IndicatorResponse {
        try IndicatorResponse.un(
            plan: Scenario.plan, snapshot: Scenario.snapshot, frameworks: Scenario.frameworks(),
            options: Scenario.options)
    }

    @Test func parliamentMarkdown() throws { try check(Self.parliament().markdown(), "parliament-2015.md") }
    @Test func parliamentHTML() throws { try check(Self.parliament().html(), "parliament-2015.html") }
    @Test func parliamentFiguresCSV() throws {
        try check(Self.parliament().figuresCSV(), "parliament-2015-figures.csv")
    }
    @Test func euJSON() throws { try check(Self.eu().json(), "eu-2015.json") }
    @Test func euCSV() throws { try check(Self.eu().csv(), "eu-2015.csv") }
    @Test func euMarkdown() throws { try check(Self.eu().markdown(), "eu-2015.md") }
    @Test func unMarkdown() throws { try check(Self.un().markdown(), "un-2015.md") }
    @Test func unHTML() throws { try check(Self.un().html(), "un-2015.html") }
    @Test func unJSON() throws { try check(Self.un().json(), "un-2015.json") }
    @Test func unQuantitativeCSV() throws { try check(Self.un().quantitativeCSV(), "un-2015-annex.csv") }

    private func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        if Self.update {
            let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")
            try Data(actual.utf8).write(to: folder.appendingPathComponent(name))
            Issue.record(
                "regenerated Golden/\(name); review the diff and run the tests again without NAPSYNC_UPDATE_GOLDEN",
                sourceLocation: sourceLocation)
            return
        }
        let url = try #require(
            Bundle.module.resourceURL?.appendingPathComponent("Golden").appendingPathComponent(name),
            sourceLocation: sourceLocation)
        guard let data = try? Data(contentsOf: url) else {
            Issue.record(
                "missing golden file Golden/\(name); create it with NAPSYNC_UPDATE_GOLDEN=1",
                sourceLocation: sourceLocation)
            return
        }
        let expected = String(decoding: data, as: UTF8.self)
        if actual != expected {
            let actualLines = actual.components(separatedBy: "\n")
            let expectedLines = expected.components(separatedBy: "\n")
            let first =
                zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset
                ?? min(actualLines.count, expectedLines.count)
            Issue.record(
                """
                Golden/\(name) differs from line \(first + 1):
                expected: \(first < expectedLines.count ? expectedLines[first] : "(end of file)")
                actual:   \(first < actualLines.count ? actualLines[first] : "(end of file)")
                """, sourceLocation: sourceLocation)
        }
    }
}
