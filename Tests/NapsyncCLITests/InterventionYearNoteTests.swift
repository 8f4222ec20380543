import Foundation
import TestSupport
import Testing

/// An intervention dated outside its reporting year is recorded (it may have begun the year before) with a
/// note on stderr that says how to correct a slip; one dated inside its year gets no note.
@Suite("record intervention: the date and the reporting year")
struct InterventionYearNoteTests {
    @Test func aDateOutsideTheReportingYearIsRecordedWithANote() async throws {
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")
        let before = try await defence.status()

        let result = try await defence.run([
            "record", "intervention", "--line", "10.a", "--year", "2014", "--date", "2016-01-05", "--description", "Training",
        ])

        #expect(result.succeeded, "\(result)")
        #expect(result.output.contains("recorded"), "\(result)")
        #expect(result.errorOutput.contains("dated 2016-01-05, outside its reporting year 2014"), "\(result)")
        #expect(result.errorOutput.contains("--year or --date"), "\(result)")
        #expect(try await defence.status().digest != before.digest)
    }

    @Test func aDateInsideTheReportingYearGetsNoNote() async throws {
        let workspace = try CLIWorkspace()
        let defence = try await workspace.department("defence")

        let result = try await defence.run([
            "record", "intervention", "--line", "10.a", "--year", "2014", "--date", "2014-05-12", "--description", "Training",
        ])

        #expect(result.succeeded, "\(result)")
        #expect(!result.errorOutput.contains("note:"), "\(result)")
    }
}
