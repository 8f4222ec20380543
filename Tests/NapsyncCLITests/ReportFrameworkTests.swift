import Foundation
import TestSupport
import Testing

/// `napsync report eu` with the bundled file, which holds the EU's 2010 indicators and names their 2016 revision
/// without listing its indicators: the response answers the 2010 set, says why for 2016, and refuses to answer an
/// empty set by name.
@Suite("report eu: the 2010 and 2016 EU indicator sets through the CLI")
struct ReportFrameworkTests {
    @Test func a2016ResponseAnswersThe2010SetAndSaysWhy() async throws {
        // Given a coordinator
        let workspace = try CLIWorkspace()
        let coordinator = try await workspace.coordinator()
        let out = workspace.file("reports")

        // When it writes the EU response for 2016 without naming a framework
        let result = try await coordinator.succeed(
            ["report", "eu", "--year", "2016", "--format", "json", "--out", out.path])

        // Then the response answers eu-2010 and says, in the file and on stderr, that eu-2016 lists no indicators
        let file = out.appendingPathComponent("eu-response-2016.json")
        #expect(result.output.contains(file.path), "\(result)")
        let response = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        let framework = try #require(response["framework"] as? [String: Any])
        #expect(framework["id"] as? String == "eu-2010")
        #expect(
            (framework["selection"] as? String)?.contains("eu-2016, which applies from 2016, lists no indicators")
                == true)
        #expect(result.errorOutput.contains("Answered on eu-2010 for 2016"), "\(result)")
    }

    @Test func a2015ResponseAnswersThe2010SetWithoutComment() async throws {
        let workspace = try CLIWorkspace()
        let coordinator = try await workspace.coordinator()
        let result = try await coordinator.succeed(
            ["report", "eu", "--year", "2015", "--format", "md", "--out", workspace.file("reports").path])
        #expect(!result.errorOutput.contains("Answered on"), "\(result)")
        let markdown = try String(
            contentsOf: workspace.file("reports").appendingPathComponent("eu-response-2015.md"), encoding: .utf8)
        #expect(markdown.contains("doc. 11948/10"))
    }

    @Test func namingTheEmpty2016SetIsRefusedWithWhatToDo() async throws {
        let workspace = try CLIWorkspace()
        let coordinator = try await workspace.coordinator()
        let out = workspace.file("reports")
        let result = try await coordinator.run(
            ["report", "eu", "--year", "2016", "--framework", "eu-2016", "--out", out.path])
        #expect(!result.succeeded)
        #expect(result.errorOutput.contains("'eu-2016' lists no indicators"), "\(result)")
        #expect(result.errorOutput.contains("--frameworks FILE"), "\(result)")
        #expect(!FileManager.default.fileExists(atPath: out.path), "nothing is written")
    }
}
