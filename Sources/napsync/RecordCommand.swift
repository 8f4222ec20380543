import ArgumentParser
import Foundation
import NAPModel
import SyncCore

struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record progress for this node's department: entries, interventions, figures.",
        discussion: """
            Every command works offline; what you record syncs later. A node records only for the lines its
            department is responsible for (`napsync plan` shows them).

            Examples, on a Defence node (Defence is responsible for line 1.a, among others):
              napsync record entry --line 1.a --year 2014 --status ongoing --narrative "Gender advisers trained"
              napsync record intervention --line 1.a --year 2014 --date 2014-05-12 --country COD --description "Training of FARDC officers" --budget 25000
              napsync record figure --instrument 1.a/1 --year 2014 --women 12 --men 30
              napsync record entry --line 1.a --year 2014 --remove
            """,
        subcommands: [
            RecordEntryCommand.self, RecordInterventionCommand.self, RecordFigureCommand.self, RecordReviewCommand.self,
            RecordRestoreCommand.self,
        ])
}

extension Replica {
    /// The department this node records for, or a refusal for the coordinator.
    func recordingDepartment() throws -> Department {
        guard case .department(let department) = identity.owner else {
            throw CommandFailure("the coordinator records only reviews (`napsync record review`); department data comes from the departments")
        }
        return department
    }
}

/// Prints what a save did.
func report(_ change: Change?, for key: RecordKey) {
    if let change {
        print("recorded \(key) (change \(change.dot), fields: \(change.assignments.map(\.field).joined(separator: ", ")))")
    } else {
        print("\(key) already holds these values; nothing recorded")
    }
}

struct RecordRestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore", abstract: "Bring back a removed record with the values it had.",
        discussion: "Example: napsync record restore entry/defence/2014/1.a")

    @OptionGroup var options: ReplicaOptions

    @Argument(help: "The record key, as `napsync show` or `napsync conflicts` prints it.")
    var record: String

    func run() throws {
        guard let key = RecordKey(record) else { throw CommandFailure("'\(record)' is not a record key such as entry/defence/2014/1.a") }
        let change = try options.openReplica().restore(key)
        print("restored \(key) (change \(change.dot))")
    }
}
