import ArgumentParser
import Foundation
import SyncCore

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write the replicated dataset as canonical JSON (sorted, stable, no node-local metadata).",
        discussion: "Example: napsync export --out nap.json")

    @OptionGroup var options: ReplicaOptions
    @Option(help: "Write to this file instead of stdout.") var out: String?

    func run() throws {
        let data = try options.openReplica().canonicalExport().jsonData()
        if let out {
            try data.write(to: URL(fileURLWithPath: out), options: .atomic)
            printError("wrote \(out)")
        } else {
            FileHandle.standardOutput.write(data)
        }
    }
}
