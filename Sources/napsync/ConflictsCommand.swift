import ArgumentParser
import Foundation
import NAPModel
import SyncCore

struct ConflictsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conflicts",
        abstract: "List open conflicts: concurrent edits whose losing value is kept for review.",
        discussion: """
            Each conflict shows the value every replica currently shows (1) and the concurrent ones (2, 3, ...).
            The owning department settles it with `napsync conflicts resolve`; the resolution syncs like any
            change and closes the conflict everywhere.
            """,
        subcommands: [ConflictsListCommand.self, ConflictsResolveCommand.self],
        defaultSubcommand: ConflictsListCommand.self)
}

struct ConflictsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List open conflicts.")

    @OptionGroup var options: ReplicaOptions
    @Flag(help: "Print JSON.") var json = false

    func run() throws {
        let replica = try options.openReplica()
        let conflicts = try replica.openConflicts()
        if json {
            try printJSON(conflicts)
            return
        }
        guard !conflicts.isEmpty else {
            print("no open conflicts")
            return
        }
        let nodes = try replica.knownNodes()
        for conflict in conflicts {
            let what = conflict.kind == .removal ? "removed while changed elsewhere" : "concurrent values"
            print("\(conflict.record) \(conflict.field): \(what)")
            for (number, version) in ([conflict.winner] + conflict.others).enumerated() {
                let origin = NodeID(hex: version.origin)
                let owner = origin.flatMap { nodes[$0] } ?? "?"
                let time = ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: Double(version.time) / 1000))
                let value = conflict.kind == .removal && number == 0 ? "(removed)" : version.value.description
                print("  \(number + 1). \(value)    by \(owner) node \(version.origin.prefix(8)) at \(time)")
            }
        }
        print("\(conflicts.count) open conflict(s); resolve with `napsync conflicts resolve RECORD FIELD --keep N`")
    }
}

struct ConflictsResolveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resolve",
        abstract: "Settle a conflict by keeping one of its values, writing a new one, or restoring/removing.",
        discussion: """
            Examples:
              napsync conflicts resolve entry/defence/2014/1.a status --keep 2
              napsync conflicts resolve entry/defence/2014/1.a narrative --value "Merged text"
              napsync conflicts resolve intervention/defence/ID budget --restore
            """)

    @OptionGroup var options: ReplicaOptions
    @Argument(help: "The record key.") var record: String
    @Argument(help: "The field.") var field: String
    @Option(help: "Keep value number N as `napsync conflicts` lists it.") var keep: Int?
    @Option(help: "Write this value instead (typed like the field's values).") var value: String?
    @Flag(help: "For a removal conflict: bring the record back with its current values.") var restore = false
    @Flag(help: "For a removal conflict: confirm the removal.") var remove = false

    func validate() throws {
        guard [keep != nil, value != nil, restore, remove].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --keep N, --value V, --restore, --remove")
        }
    }

    func run() throws {
        guard let key = RecordKey(record) else { throw CommandFailure("'\(record)' is not a record key such as entry/defence/2014/1.a") }
        let replica = try options.openReplica()
        let conflict = try replica.openConflicts().first { $0.record == key && $0.field == field }
        guard let conflict else { throw ReplicaError.noConflict(record: key, field: field) }
        let change: Change
        if restore || remove {
            guard conflict.kind == .removal else { throw CommandFailure("--restore and --remove settle removal conflicts; use --keep or --value") }
            change = try replica.resolve(key, field: Change.removedField, value: .bool(remove))
        } else if let keep {
            let versions = [conflict.winner] + conflict.others
            guard (1...versions.count).contains(keep) else { throw CommandFailure("--keep takes 1 to \(versions.count)") }
            guard conflict.kind == .field else { throw CommandFailure("a removal conflict is settled with --restore or --remove") }
            change = try replica.resolve(key, field: field, value: versions[keep - 1].value)
        } else {
            change = try replica.resolve(key, field: field, value: Self.parse(value!, like: conflict.winner.value), plan: .bundled)
        }
        print("resolved \(key) \(field) (change \(change.dot)); it syncs to every replica")
    }

    static func parse(_ text: String, like example: FieldValue) throws -> FieldValue {
        switch example {
        case .int:
            guard let number = Int64(text) else { throw CommandFailure("\(text) is not a whole number") }
            return .int(number)
        case .bool:
            return .bool(["yes", "true", "y"].contains(text.lowercased()))
        case .list:
            return .list(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        case .null, .text:
            return .text(text)
        }
    }
}
