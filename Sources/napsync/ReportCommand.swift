import ArgumentParser
import Foundation
import NAPModel
import Reports
import SyncCore

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the report to parliament, the EU response or the UN response for a year.",
        discussion: """
            Reports are made from this node's replica as it is now. Each one says
            what it rests on (the replica's vector clock, when each department's
            data last arrived), flags at the top the departments whose data is
            older than --stale-after-days, and lists unresolved conflicts in an
            annex.

            Formats: parliament: md, html, csv (the figures annex);
            eu and un: md, html, csv, json. Without --format every format of the
            report is written.

            Indicator frameworks: the EU has two sets, the 2010 indicators
            (eu-2010) and their 2016 revision (eu-2016, from reporting year
            2016). Without --framework a response answers the most recent set of
            its body that applies to --year and lists indicators, and says so when
            it passed one over. The bundled file names eu-2016 but does not list
            its indicators (they could not be transcribed from the Council
            document), so EU responses answer eu-2010 until a frameworks file with
            eu-2016 filled in is given with --frameworks.

            Examples:
              napsync report parliament --year 2015 --out reports/
              napsync report eu --year 2015 --format json
              napsync report eu --year 2016 --frameworks eu-2016.json --framework eu-2016
              napsync report un --year 2015 --frameworks corrected-frameworks.json
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case parliament, eu, un
    }


    @OptionGroup var options: ReplicaOptions
    @Argument(help: "parliament, eu or un.") var kind: Kind
    @Option(help: "The reporting year.") var year: Int
    @Option(help: "md, html, csv or json (default: every format of the report).") var format: ReportFormat?
    @Option(help: ArgumentHelp("Write the files into this directory (created if needed).", valueName: "dir"))
    var out: String = "."
    @Option(
        help: ArgumentHelp(
            "An indicator frameworks file to use instead of the bundled one (no rebuild needed).", valueName: "file"))
    var frameworks: String?
    @Option(
        help: ArgumentHelp(
            "The framework to answer: eu-2010 or eu-2016, un-2010 (default: the most recent of its body that applies "
                + "to --year and lists indicators).", valueName: "id"))
    var framework: String?
    @Option(help: ArgumentHelp("Flag departments whose data is older than this.", valueName: "days"))
    var staleAfterDays: Int = ReportOptions.defaultStaleAfterDays

    func validate() throws {
        do {
            try Plan.bundled.validateYear(year)
        } catch {
            throw ValidationError(error.description)
        }
        if kind == .parliament && format == .json {
            throw ValidationError("the report to parliament is written as md, html or csv; json is for eu and un")
        }
        if kind == .parliament && framework != nil {
            throw ValidationError("--framework applies to the eu and un responses only")
        }
        guard staleAfterDays >= 0 else { throw ValidationError("--stale-after-days must be 0 or more") }
    }

    func run() throws {
        let plan = Plan.bundled
        let snapshot = try options.openReplica().snapshot()
        let reportOptions = ReportOptions(
            year: year, staleAfterDays: staleAfterDays,
            euFramework: kind == .eu ? framework : nil, unFramework: kind == .un ? framework : nil)
        let files: [ReportFile]
        let formats = format.map { [$0] }
        switch kind {
        case .parliament:
            let report = ParliamentReport(plan: plan, snapshot: snapshot, options: reportOptions)
            files = report.files(formats ?? [.md, .html, .csv])
            note(stale: report.basis.staleSources.count, conflicts: report.conflicts.count)
        case .eu, .un:
            let frameworks = try loadFrameworks(plan: plan)
            let response =
                kind == .eu
                ? try IndicatorResponse.eu(
                    plan: plan, snapshot: snapshot, frameworks: frameworks, options: reportOptions)
                : try IndicatorResponse.un(
                    plan: plan, snapshot: snapshot, frameworks: frameworks, options: reportOptions)
            files = response.files(kind: kind.rawValue, formats ?? ReportFormat.allCases)
            note(stale: response.basis.staleSources.count, conflicts: response.conflicts.count)
            if let selection = response.framework.selection {
                printError("note: \(selection) Give a frameworks file that lists them with --frameworks to answer it.")
            }
            if response.framework.uncheckedWordings > 0 {
                printError(
                    "note: \(response.framework.uncheckedWordings) indicator wordings of \(response.framework.id) are not checked "
                        + "against the source; they are marked † in the md and html files")
            }
        }
        let directory = URL(fileURLWithPath: out, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in files {
            let url = directory.appendingPathComponent(file.name)
            try Data(file.text.utf8).write(to: url, options: .atomic)
            print(url.path)
        }
    }

    private func loadFrameworks(plan: Plan) throws -> IndicatorFrameworks {
        if let frameworks {
            return try IndicatorFrameworks.load(from: URL(fileURLWithPath: frameworks), plan: plan)
        }
        let bundled = try IndicatorFrameworks.bundled()
        try bundled.validate(against: plan, file: "the bundled frameworks.json")
        return bundled
    }

    private func note(stale: Int, conflicts: Int) {
        if stale > 0 {
            printError(
                "note: \(stale) department(s) have data older than \(staleAfterDays) days or none; see the top of the report"
            )
        }
        if conflicts > 0 {
            printError("note: \(conflicts) unresolved conflict(s) are listed in the report's annex")
        }
    }
}

extension ReportFormat: ExpressibleByArgument {}
