import ArgumentParser
import Foundation
import NAPModel
import SyncCore

struct RecordInterventionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intervention",
        abstract: "Add an intervention under a line of action, or change or remove one by --id.",
        discussion: """
            Countries are ISO 3166-1 alpha-3 codes (AFG, COD, MLI are the plan's target countries); repeat
            --country or separate codes with commas. The budget is in euros (e.g. 12500 or 12500.50).
            A new intervention prints its id; use it with --id to change or remove it.
            """)

    @OptionGroup var options: ReplicaOptions

    @Option(help: "Change or remove this intervention instead of adding one.") var id: String?
    @Option(help: "The line of action, e.g. 1.a.") var line: String?
    @Option(help: "The reporting year.") var year: Int?
    @Option(help: "The date, YYYY-MM-DD.") var date: String?
    @Option(name: .customLong("country"), help: "A country code; repeatable.") var countries: [String] = []
    @Option(help: "What was done.") var description: String?
    @Option(help: "Budget in euros.") var budget: String?
    @Flag(help: "Remove the intervention given by --id.") var remove = false

    func run() throws {
        let replica = try options.openReplica()
        let department = try replica.recordingDepartment()
        var intervention: Intervention
        if let id {
            let key = RecordKey(kind: .intervention, owner: .department(department), id: id)
            if remove {
                print("removed \(key) (change \(try replica.remove(key).dot))")
                return
            }
            guard let existing = try replica.load(Intervention.self, key) else {
                throw ReplicaError.recordNotFound(key)
            }
            intervention = existing
        } else {
            guard !remove else { throw CommandFailure("--remove needs --id") }
            guard let line, let year, let date, let description else {
                throw CommandFailure("a new intervention needs --line, --year, --date and --description")
            }
            intervention = Intervention(
                department: department, year: year, line: line, date: date, countries: [], description: description,
                budgetCents: nil)
        }
        if let line { intervention.line = line }
        if let year { intervention.year = year }
        if let date { intervention.date = date }
        if let description { intervention.description = description }
        if !countries.isEmpty {
            intervention.countries = try countries.flatMap { $0.split(separator: ",") }.map {
                try Country.validate($0.trimmingCharacters(in: .whitespaces), field: "country")
            }
        }
        if let budget { intervention.budgetCents = try Self.cents(budget) }
        report(try replica.save(intervention), for: intervention.key)
        if let note = Self.yearNote(intervention) { printError("note: \(note)") }
    }

    /// A note when the date falls outside the reporting year: an intervention is reported in the year it took
    /// place, so this is usually a slip in --year or --date, but not always (one that began the year before), so
    /// it is said, not refused.
    static func yearNote(_ intervention: Intervention) -> String? {
        guard let dateYear = Int(intervention.date.prefix(4)), dateYear != intervention.year else { return nil }
        return "\(intervention.key) is dated \(intervention.date), outside its reporting year \(intervention.year); "
            + "if that is a slip, correct it with --id \(intervention.key.id) --year or --date"
    }

    /// Parses euros with at most two decimals into cents, exactly.
    static func cents(_ text: String) throws -> Int64 {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let euros = Int64(parts[0]), euros >= 0,
            parts.count == 1 || (1...2).contains(parts[1].count) && parts[1].allSatisfy(\.isNumber),
            euros <= FieldLimits.maxBudgetCents / 100
        else {
            throw ModelError.invalidField(field: "budget", value: text, expected: "a non-negative amount in euros such as 12500 or 12500.50")
        }
        let fraction = parts.count == 2 ? Int64(parts[1].padding(toLength: 2, withPad: "0", startingAt: 0))! : 0
        return euros * 100 + fraction
    }
}
