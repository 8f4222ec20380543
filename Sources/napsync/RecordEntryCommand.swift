import ArgumentParser
import Foundation
import NAPModel
import SyncCore

struct RecordEntryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entry",
        abstract: "Add or change the progress entry for a line of action and year, or remove it.",
        discussion: "Statuses: \(ProgressStatus.allCases.map(\.rawValue).joined(separator: ", ")). Only the fields you give change.")

    @OptionGroup var options: ReplicaOptions

    @Option(help: "The line of action, e.g. 1.a or 37.") var line: String
    @Option(help: "The reporting year (2013-2016, later years for follow-up).") var year: Int
    @Option(help: "planned, ongoing, done or not-applicable.") var status: String?
    @Option(help: "What the department did, in a few paragraphs.") var narrative: String?
    @Flag(help: "Remove the entry (it stays as a tombstone and syncs).") var remove = false

    func run() throws {
        let replica = try options.openReplica()
        let department = try replica.recordingDepartment()
        let key = RecordKey.entry(department, year: year, line: line)
        if remove {
            print("removed \(key) (change \(try replica.remove(key).dot))")
            return
        }
        let existing = try replica.load(ProgressEntry.self, key)
        guard status != nil || narrative != nil else { throw CommandFailure("give --status and/or --narrative") }
        guard let statusText = status ?? existing?.status.rawValue else {
            throw CommandFailure("a new entry needs --status (\(ProgressStatus.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let entry = ProgressEntry(
            department: department, year: year, line: line, status: try ProgressStatus(parsing: statusText),
            narrative: narrative ?? existing?.narrative ?? "")
        report(try replica.save(entry), for: key)
    }
}
