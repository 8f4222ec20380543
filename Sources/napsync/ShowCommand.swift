import ArgumentParser
import Foundation
import NAPModel
import SyncCore

struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "List what this node's department recorded for a year (the coordinator: every department).",
        discussion: "Example: napsync show --year 2014")

    @OptionGroup var options: ReplicaOptions
    @Option(help: "The reporting year.") var year: Int
    @Option(help: "Only this department (coordinator only; departments see their own).") var department: String?
    @Flag(help: "Print JSON for scripts.") var json = false

    func run() throws {
        let replica = try options.openReplica()
        var snapshot = try replica.snapshot()
        let owner: Department?
        switch replica.identity.owner {
        case .department(let mine): owner = mine
        case .coordinator: owner = try department.map { try Department(parsing: $0) }
        }
        snapshot.entries = snapshot.entries.filter { $0.year == year && (owner == nil || $0.department == owner) }
        snapshot.interventions = snapshot.interventions.filter { $0.year == year && (owner == nil || $0.department == owner) }
        snapshot.figures = snapshot.figures.filter { $0.year == year && (owner == nil || $0.department == owner) }
        snapshot.reviews = snapshot.reviews.filter { $0.year == year }
        if json {
            struct Listing: Encodable {
                var year: Int
                var entries: [ProgressEntry]
                var interventions: [Intervention]
                var figures: [Figure]
                var reviews: [Review]
            }
            try printJSON(Listing(year: year, entries: snapshot.entries, interventions: snapshot.interventions, figures: snapshot.figures, reviews: snapshot.reviews))
            return
        }
        let lines = Set(snapshot.entries.map(\.line) + snapshot.interventions.map(\.line) + snapshot.figures.map(\.line))
        if lines.isEmpty && snapshot.reviews.isEmpty {
            print("nothing recorded for \(year)\(owner.map { " by \($0.displayName)" } ?? "")")
            return
        }
        let plan = Plan.bundled
        let order = Dictionary(uniqueKeysWithValues: plan.lines.enumerated().map { ($1.id, $0) })
        for line in lines.sorted(by: { (order[$0] ?? .max, $0) < (order[$1] ?? .max, $1) }) {
            print("\(line)  \(plan.line(line)?.text.prefix(90) ?? "")")
            for entry in snapshot.entries where entry.line == line {
                print("  [\(entry.department.rawValue)] status: \(entry.status.rawValue)")
                if !entry.narrative.isEmpty { print("    \(entry.narrative)") }
            }
            for intervention in snapshot.interventions where intervention.line == line {
                let budget = intervention.budgetCents.map { String(format: " EUR %.2f", Double($0) / 100) } ?? ""
                print("  [\(intervention.department.rawValue)] intervention \(intervention.id) \(intervention.date) \(intervention.countries.joined(separator: ","))\(budget): \(intervention.description)")
            }
            for figure in snapshot.figures where figure.line == line {
                print("  [\(figure.department.rawValue)] figure \(figure.instrument): \(Self.describe(figure.value))")
            }
        }
        for review in snapshot.reviews { print("review \(review.line): \(review.note)") }
    }

    static func describe(_ value: FigureValue) -> String {
        switch value {
        case .counts(let women, let men, let unspecified):
            let total = women + men + unspecified
            let share = total > 0 ? String(format: " (%.1f%% women)", Double(women) * 100 / Double(total)) : ""
            return "\(women) women, \(men) men, \(unspecified) unspecified\(share)"
        case .number(let number): return number
        case .yesNo(let answer): return answer ? "yes" : "no"
        }
    }
}
