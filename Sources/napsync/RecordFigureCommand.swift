import ArgumentParser
import Foundation
import NAPModel
import SyncCore

struct RecordFigureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "figure",
        abstract: "Record the figure for a monitoring instrument and year: counts by sex, a number, or yes/no.",
        discussion: """
            Record raw counts; percentages are derived in reports. `napsync plan LINE` lists instrument ids.
            Examples:
              napsync record figure --instrument 1.a/1 --year 2014 --women 12 --men 30
              napsync record figure --instrument 1.a/1 --year 2014 --answer yes
            """)

    @OptionGroup var options: ReplicaOptions

    @Option(help: "The monitoring instrument, e.g. 1.a/1.") var instrument: String
    @Option(help: "The reporting year.") var year: Int
    @Option(help: "Number of women.") var women: Int64?
    @Option(help: "Number of men.") var men: Int64?
    @Option(help: "Number of people whose sex is not recorded.") var unspecified: Int64?
    @Option(help: "A number (decimal), for instruments that are not counts of people.") var number: String?
    @Option(help: "yes or no.") var answer: String?
    @Flag(help: "Remove the figure.") var remove = false

    func run() throws {
        let replica = try options.openReplica()
        let department = try replica.recordingDepartment()
        let key = RecordKey.figure(department, year: year, instrument: instrument)
        if remove {
            print("removed \(key) (change \(try replica.remove(key).dot))")
            return
        }
        let value: FigureValue
        let countsGiven = women != nil || men != nil || unspecified != nil
        switch (countsGiven, number, answer) {
        case (true, nil, nil):
            value = .counts(women: women ?? 0, men: men ?? 0, unspecified: unspecified ?? 0)
        case (false, let number?, nil):
            value = .number(number)
        case (false, nil, let answer?):
            switch answer.lowercased() {
            case "yes", "y", "true": value = .yesNo(true)
            case "no", "n", "false": value = .yesNo(false)
            default: throw ModelError.invalidField(field: "answer", value: answer, expected: "yes or no")
            }
        default:
            throw CommandFailure("give counts (--women/--men/--unspecified), or --number, or --answer: exactly one kind")
        }
        report(try replica.save(Figure(department: department, year: year, instrument: instrument, value: value)), for: key)
    }
}
