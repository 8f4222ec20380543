import Foundation
import Logging
import NAPModel
import SyncCore
import Synchronization
import SyncServer
import TestSupport
import Testing

@Suite("napsync demo: the whole story on one machine")
struct DemoScenarioTests {
    @Test("the scenario converges on every node and leaves exactly one open conflict, over real HTTP")
    func scenarioConverges() async throws {
        // Given an empty directory
        let temporary = try TemporaryDirectory(prefix: "napsync-demo")
        let lines = Lines()

        // When the scenario runs in it (without reports: rendering lives in the Reports target)
        let outcome = try await DemoScenario(
            directory: temporary.appending("demo"), logger: .silent, narrate: lines.append, writeReports: nil
        ).run()

        // Then the coordinator and the five department nodes hold the same data
        #expect(outcome.nodes.map(\.name) == ["coordinator"] + DemoSampleData.nodes.map(\.name))
        #expect(Set(outcome.nodes.map(\.digest)).count == 1)
        #expect(outcome.converged)
        // And the coordinator holds exactly one open conflict: the two Defence nodes' statuses, both kept
        let coordinator = try Replica.open(at: outcome.nodes[0].directory, logger: .silent)
        let conflicts = try coordinator.openConflicts()
        #expect(conflicts.count == 1)
        let conflict = try #require(conflicts.first)
        #expect(conflict.record == DemoSampleData.contestedEntry)
        #expect(conflict.field == "status")
        let values = Set(([conflict.winner] + conflict.others).map(\.value))
        #expect(values == [.text("done"), .text("ongoing")])
        #expect(outcome.nodes.allSatisfy { $0.openConflicts == 1 })
        // And the story names the conflict and the final digests
        #expect(lines.all.contains { $0.contains("record  \(DemoSampleData.contestedEntry)") })
        #expect(lines.all.contains { $0.contains("All 6 nodes converged") })
    }

    @Test("the sample data sits on lines each department is responsible for, and reaches the target countries")
    func sampleDataFitsThePlan() throws {
        let plan = Plan.bundled
        for node in DemoSampleData.nodes {
            let lines = Dictionary(uniqueKeysWithValues: plan.lines(for: node.department).map { ($0.id, $0) })
            let records = node.records
            for entry in records.entries {
                #expect(lines[entry.line] != nil, "\(node.name): line \(entry.line)")
                #expect(entry.narrative.hasPrefix("Illustrative"), "\(node.name): \(entry.key)")
            }
            for intervention in records.interventions {
                #expect(lines[intervention.line] != nil, "\(node.name): line \(intervention.line)")
                #expect(intervention.description.hasPrefix("Illustrative"), "\(node.name): \(intervention.key)")
                #expect(throws: Never.self) { try intervention.validate(against: plan) }
            }
            for figure in records.figures {
                #expect(
                    lines[figure.line]?.instruments.contains { $0.id == figure.instrument } == true, "\(figure.key)")
            }
            #expect(Set((records.entries.map(\.year) + records.figures.map(\.year))).isSubset(of: [2014, 2015]))
        }
        let countries = Set(DemoSampleData.nodes.flatMap { $0.records.interventions.flatMap(\.countries) })
        #expect(countries.isSuperset(of: ["AFG", "COD", "MLI"]))
        let contested = DemoSampleData.nodes.first { $0.name == "defence" }?.records.entries.map(\.key) ?? []
        #expect(contested.contains(DemoSampleData.contestedEntry))
    }

    @Test("`napsync demo --dir` writes every report, showing the conflict and the target countries")
    func commandWritesReports() async throws {
        // Given an empty directory
        let temporary = try TemporaryDirectory(prefix: "napsync-demo-cli")
        let directory = temporary.appending("demo")

        // When the command runs
        let result = try await NapsyncProcess(timeout: .seconds(60)).succeed(["demo", "--dir", directory.path])

        // Then it says where the reports are, and every node ends with the same digest
        let reports = directory.appendingPathComponent("reports")
        #expect(result.output.contains("Reports: \(reports.path)"))
        let nodesDirectory = directory.appendingPathComponent("nodes")
        let names = try FileManager.default.contentsOfDirectory(atPath: nodesDirectory.path).sorted()
        #expect(names == ["coordinator", "defence", "defence-2", "development", "foreign-affairs", "justice"])
        let digests = try names.map {
            try Replica.open(at: nodesDirectory.appendingPathComponent($0), logger: .silent).canonicalExport().digest()
        }
        #expect(Set(digests).count == 1)
        let coordinator = try Replica.open(at: nodesDirectory.appendingPathComponent("coordinator"), logger: .silent)
        #expect(try coordinator.openConflicts().count == 1)

        // And every report file exists and prints its path
        let expected = [
            "parliament-2015.md", "parliament-2015.html", "parliament-2015-figures.csv",
            "eu-response-2015.md", "eu-response-2015.html", "eu-response-2015.csv", "eu-response-2015.json",
            "un-response-2015.md", "un-response-2015.html", "un-response-2015-annex.csv", "un-response-2015.json",
        ]
        for name in expected {
            let path = reports.appendingPathComponent(name).path
            #expect(FileManager.default.fileExists(atPath: path), "\(name) missing")
            #expect(result.output.contains(path))
        }
        func read(_ name: String) throws -> String {
            try String(contentsOf: reports.appendingPathComponent(name), encoding: .utf8)
        }

        // And the reports show the open conflict in their annex
        for name in ["parliament-2015.md", "eu-response-2015.md", "un-response-2015.md"] {
            let text = try read(name)
            let annex = try #require(text.range(of: "## Annex: unresolved conflicts"), "\(name) has no conflict annex")
            let rows = text[annex.upperBound...]
            #expect(rows.contains("progress entry 2015, line 10.c"), "\(name)")
            #expect(rows.contains("ongoing") && rows.contains("done"), "\(name)")
        }
        #expect(try read("parliament-2015.html").contains("progress entry 2015, line 10.c"))
        for name in ["eu-response-2015.json", "un-response-2015.json"] {
            #expect(try read(name).contains(DemoSampleData.contestedEntry.description), "\(name)")
        }

        // And the report to parliament shows the three target countries with their budgets
        for name in ["parliament-2015.md", "parliament-2015.html"] {
            let text = try read(name)
            for country in ["Afghanistan", "DR Congo", "Mali"] {
                #expect(text.contains(country), "\(name) does not mention \(country)")
            }
        }
        #expect(try read("parliament-2015.md").contains("**Mali** (target country)"))
    }

    @Test("`napsync demo --dir` refuses a directory that already holds files")
    func refusesNonEmptyDirectory() async throws {
        let temporary = try TemporaryDirectory(prefix: "napsync-demo-used")
        try Data("keep me".utf8).write(to: temporary.appending("notes.txt"))

        let result = try await NapsyncProcess().run(["demo", "--dir", temporary.url.path])

        #expect(!result.succeeded)
        #expect(result.errorOutput.contains("is not an empty directory"))
        #expect(FileManager.default.fileExists(atPath: temporary.appending("notes.txt").path))
    }
}

/// Collects the narrated lines.
private final class Lines: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    func append(_ line: String) { lines.withLock { $0.append(line) } }
}
