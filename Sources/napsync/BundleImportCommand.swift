import ArgumentParser
import Foundation
import SyncCore

struct BundleImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Apply a bundle: all of it, or nothing if any part is damaged or refused.")

    @OptionGroup var options: ReplicaOptions
    @Argument(help: "The bundle file.") var file: String
    @Flag(help: "Print the result as JSON.") var json = false

    func run() throws {
        let replica = try options.openReplica()
        var reader = try ChangeBundle.Reader(url: URL(fileURLWithPath: file))
        let progress = Progress()
        let report = try replica.apply(
            changeSets: { try reader.next() }, from: URL(fileURLWithPath: file).lastPathComponent,
            progress: { progress.update("applied \($0.applied) changes, \($0.alreadyKnown) already known") })
        progress.finish()
        if json {
            try printJSON(report)
        } else {
            print("applied \(report.applied) changes, \(report.alreadyKnown) already known, \(report.conflictsOpened) conflict(s) opened")
            if report.conflictsOpened > 0 { print("`napsync conflicts` lists them") }
        }
    }
}
