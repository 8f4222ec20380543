import ArgumentParser
import Foundation
import SyncCore

struct QuarantineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Inspect refused change sets: forged, tampered, unauthorised or malformed input kept for review.",
        subcommands: [QuarantineListCommand.self, QuarantineShowCommand.self],
        defaultSubcommand: QuarantineListCommand.self)
}

struct QuarantineListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List quarantined change sets.")

    @OptionGroup var options: ReplicaOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let sets = try options.openReplica().quarantined()
        if json { return try printJSON(sets) }
        if sets.isEmpty { return print("nothing in quarantine") }
        let formatter = ISO8601DateFormatter()
        for entry in sets {
            print("\(entry.id)  \(formatter.string(from: entry.received))  from \(entry.sender)  \(entry.bytes) bytes")
            print("    \(entry.reason)")
        }
    }
}

struct QuarantineShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show what a quarantined change set claims to hold.")

    @OptionGroup var options: ReplicaOptions
    @Argument(help: "The id `napsync quarantine list` shows.") var id: Int64

    func run() throws {
        let replica = try options.openReplica()
        guard let entry = try replica.quarantined().first(where: { $0.id == id }), let data = try replica.quarantinedData(id) else {
            throw CommandFailure("no quarantined change set \(id)")
        }
        print("refused: \(entry.reason)")
        do {
            let decoded = try ChangeSetFormat.decode(data, sender: entry.sender)
            print("sender \(decoded.header.sender), dataset \(decoded.header.datasetID), \(decoded.changes.count) changes")
            for origin in decoded.header.origins where origin.count > 0 {
                print("  origin \(origin.node) (\(origin.owner)) seq \(origin.firstSeq)...\(origin.lastSeq), signed: \(!origin.proof.signature.isEmpty)")
            }
            for change in decoded.changes.prefix(50) {
                let fields = change.assignments.map { "\($0.field)=\($0.value)" }.joined(separator: ", ")
                print("  \(change.dot) \(change.record): \(fields)")
            }
            if decoded.changes.count > 50 { print("  ... \(decoded.changes.count - 50) more") }
        } catch {
            print("undecodable: \(error)")
        }
    }
}
