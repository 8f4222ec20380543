import ArgumentParser
import Foundation
import SyncCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check this node's replica for damage; exit status 1 if any is found.",
        discussion: """
            Runs SQLite's integrity check of the file, then reads every record state back against the nodes the \
            replica knows and checks that the change log holds every change its clock counts. Writes nothing. \
            Run it when napsync reports the replica's stored data as inconsistent, or after restoring a backup; \
            it reads the whole file, so it takes about as long as copying it.
            """)

    @OptionGroup var options: ReplicaOptions

    func run() throws {
        let replica = try options.openReplica()
        printError("checking the replica in \(replica.directory.path)")
        let problems = try replica.consistencyProblems()
        guard !problems.isEmpty else {
            print("the replica in \(replica.directory.path) is sound")
            return
        }
        for problem in problems { print(problem) }
        print("\(problems.count) problem(s). \(ReplicaError.repairAdvice)")
        throw ExitCode(1)
    }
}
