import ArgumentParser
import Foundation
import NAPModel
import SyncCore

struct RecordReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "The coordinator's review note on a line of action and year (coordinator node only).")

    @OptionGroup var options: ReplicaOptions

    @Option(help: "The line of action.") var line: String
    @Option(help: "The reporting year.") var year: Int
    @Option(help: "The review note.") var note: String?
    @Flag(help: "Remove the review.") var remove = false

    func run() throws {
        let replica = try options.openReplica()
        guard replica.identity.owner == .coordinator else {
            throw CommandFailure("only the coordinator node records reviews")
        }
        let key = RecordKey.review(year: year, line: line)
        if remove {
            print("removed \(key) (change \(try replica.remove(key).dot))")
            return
        }
        guard let note else { throw CommandFailure("give --note") }
        report(try replica.save(Review(year: year, line: line, note: note)), for: key)
    }
}
