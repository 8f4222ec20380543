import ArgumentParser
import Foundation
import Logging
import NAPModel
import Reports
import SyncCore
import SyncServer

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the whole story on this machine: network, offline recording, HTTP sync, a conflict, reports.",
        discussion: """
            Creates a coordinator and five department nodes (two of them for Defence), records illustrative 2014 \
            and 2015 data on each department's lines, syncs every node with the coordinator over HTTP on \
            127.0.0.1, lets the two Defence nodes change the same entry concurrently, and has the coordinator write \
            the reports for 2015. No configuration; it takes a few seconds. All data it records is sample data.

            Without --dir it works in a new temporary directory and leaves it there, so the reports and the nodes \
            can be looked at afterwards; every napsync command works on a demo node with --data-dir.

            Examples:
              napsync demo
              napsync demo --dir ./nap-demo
              napsync conflicts --data-dir ./nap-demo/nodes/coordinator
            """)

    @Option(help: ArgumentHelp("Keep the demo in this directory (new or empty).", valueName: "dir"))
    var dir: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning or error (default: warning).")
    var logLevel: Logger.Level?

    func validate() throws {
        if let dir, !DemoScenario.isUsable(URL(fileURLWithPath: dir, isDirectory: true)) {
            throw ValidationError("\(dir) is not an empty directory; give a new or empty one")
        }
    }

    func run() async throws {
        CommandLogging.bootstrap(level: logLevel)
        let directory =
            dir.map { URL(fileURLWithPath: $0, isDirectory: true).standardizedFileURL }
            ?? DemoScenario.temporaryDirectory()
        let scenario = DemoScenario(
            directory: directory, logger: Logger(label: "napsync.demo"), narrate: { print($0) },
            writeReports: DemoReports.write)
        _ = try await scenario.run()
    }
}

/// The files `napsync report` writes for the demo's report year, every format: parliament, EU and UN.
enum DemoReports {
    @Sendable
    static func write(coordinator: Replica, to directory: URL) throws -> [URL] {
        let plan = Plan.bundled
        let year = DemoSampleData.reportYear
        let snapshot = try coordinator.snapshot()
        let options = ReportOptions(year: year)
        let frameworks = try IndicatorFrameworks.bundled()
        try frameworks.validate(against: plan, file: "the bundled frameworks.json")
        let parliament = ParliamentReport(plan: plan, snapshot: snapshot, options: options)
        let eu = try IndicatorResponse.eu(plan: plan, snapshot: snapshot, frameworks: frameworks, options: options)
        let un = try IndicatorResponse.un(plan: plan, snapshot: snapshot, frameworks: frameworks, options: options)
        let files = parliament.files() + eu.files(kind: "eu") + un.files(kind: "un")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try files.map { file in
            let url = directory.appendingPathComponent(file.name)
            try Data(file.text.utf8).write(to: url, options: .atomic)
            return url
        }
    }
}
