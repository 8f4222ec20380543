import ArgumentParser
import Foundation
import SyncCore

struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check this node's replica for damage; exit status 1 if any is found.",
        discussion: """
            Runs SQLite's integrity check of the file, then reads every record state back against the nodes the \
            replica knows, and checks that the change log holds every change the replica counts, each matching \
            the digest and chain values stored with it. Writes nothing (a replica written by an older napsync is \
            first brought to the current schema, as every command does). Run it when napsync reports the \
            replica's stored data as inconsistent, or after restoring a backup; it reads and hashes the whole \
            change log, so it takes about as long as applying it.
            """)

    @OptionGroup var options: ReplicaOptions

    func run() throws {
        let replica: Replica
        do {
            replica = try options.openReplica()
        } catch ReplicaError.damagedReplica(let reason) {
            // Found while bringing an older replica to the current schema: nothing else can be read.
            print("the replica in \(options.directory.path) cannot be opened: \(reason)")
            print("1 problem. \(ReplicaError.repairAdvice)")
            throw ExitCode(1)
        }
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
