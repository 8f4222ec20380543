import ArgumentParser
import Foundation
import NAPModel
import SyncCore

struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Create a node: a replica for one department, or the coordinator.",
        discussion: """
            Examples:
              napsync init --data-dir /var/lib/napsync --department defence
              napsync init --data-dir ./coordinator --coordinator

            Departments: \(Department.allCases.map(\.rawValue).joined(separator: ", ")).
            """)

    @OptionGroup var options: ReplicaOptions

    @Option(help: "The department this node records for.")
    var department: String?

    @Flag(help: "Create the coordinator node: it holds every department's data and writes only its own reviews.")
    var coordinator = false

    @Flag(name: .customLong("force"), help: "Overwrite a replica already in the data directory (its unsynced data is lost).")
    var overwrite = false

    func validate() throws {
        guard (department != nil) != coordinator else {
            throw ValidationError("give either --department NAME or --coordinator")
        }
        if let department {
            do { _ = try Department(parsing: department) } catch { throw ValidationError(error.description) }
        }
    }

    func run() throws {
        let owner: Owner = try department.map { .department(try Department(parsing: $0)) } ?? .coordinator
        let replica = try Replica.create(at: options.directory, owner: owner, overwrite: overwrite, logger: options.logger())
        print("created \(replica.identity.role.rawValue) node \(replica.nodeID) for \(owner) in \(options.directory.path)")
    }
}
