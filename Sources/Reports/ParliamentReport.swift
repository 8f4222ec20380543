import Foundation
import NAPModel

/// The annual report to parliament: the plan's structure with, for every line of action, what each responsible
/// department reported for the year. A pure function of the plan and a snapshot; the renderers turn it into
/// Markdown, printable HTML and a CSV annex of figures.
public struct ParliamentReport: Sendable, Hashable {
    public var planID: String
    public var planTitle: String
    public var year: Int
    public var basis: DataBasis
    public var summary: Summary
    /// Per department, whether it reported (has a progress entry) for each line it is responsible for.
    public var completeness: [DepartmentCompleteness]
    public var objectives: [ObjectiveSection]
    /// Every figure of the year in plan order: the CSV annex.
    public var figures: [FigureRow]
    public var conflicts: [ConflictRow]

    public struct Summary: Sendable, Hashable {
        /// Lines counted once per responsible department, by the status that department gave; `nil` status
        /// means no progress entry for the year.
        public var statuses: [StatusCount]
        public var departments: [DepartmentSummary]
        /// Target countries first (always listed), then the other countries by name.
        public var countries: [CountryBudget]
        /// Interventions with no country.
        public var withoutCountry: CountryBudget
        public var interventions: Int
        /// Each intervention counted once.
        public var totalBudgetCents: Int64
        public var interventionsWithoutBudget: Int
    }

    public struct StatusCount: Sendable, Hashable {
        public var status: ProgressStatus?
        public var count: Int
    }

    public struct DepartmentSummary: Sendable, Hashable {
        public var department: Department
        public var responsibleLines: Int
        public var statuses: [StatusCount]
        public var interventions: Int
        public var budgetCents: Int64
    }

    public struct CountryBudget: Sendable, Hashable {
        /// ISO alpha-3, or empty for "no country".
        public var code: String
        public var name: String
        public var isTarget: Bool
        public var interventions: Int
        public var budgetCents: Int64
    }

    public struct DepartmentCompleteness: Sendable, Hashable {
        public var department: Department
        public var lines: [(line: String, reported: Bool)]
        public var reported: Int { lines.filter(\.reported).count }
        public var share: Share? { Share(Int64(reported), of: Int64(lines.count)) }
        public var missing: [String] { lines.filter { !$0.reported }.map(\.line) }

        public static func == (lhs: Self, rhs: Self) -> Bool {
            lhs.department == rhs.department && lhs.lines.elementsEqual(rhs.lines) { $0 == $1 }
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(department)
            for line in lines {
                hasher.combine(line.line)
                hasher.combine(line.reported)
            }
        }
    }

    public struct ObjectiveSection: Sendable, Hashable {
        public var number: Int
        public var title: String
        public var goals: [GoalSection]
    }

    public struct GoalSection: Sendable, Hashable {
        public var number: Int
        public var text: String
        public var lines: [LineSection]
    }

    public struct LineSection: Sendable, Hashable {
        public var id: String
        public var text: String
        public var departments: [DepartmentSection]
        /// The coordinator's review note for the year.
        public var review: String?
    }

    public struct DepartmentSection: Sendable, Hashable {
        public var department: Department
        /// False for a department that recorded data on a line it is not listed for in the plan.
        public var responsible: Bool
        /// Nil when the department made no progress entry for the year.
        public var status: ProgressStatus?
        public var narrative: String
        public var interventions: [InterventionRow]
        public var figures: [FigureRow]
        /// Unresolved conflicts on this department's records for the line, in words (`status`,
        /// `figure 23.b/1: women`); the annex has the details.
        public var conflicts: [String]
    }

    public struct InterventionRow: Sendable, Hashable, Codable {
        public var id: String
        public var department: Department
        public var line: String
        public var date: String
        public var countries: [String]
        public var description: String
        public var budgetCents: Int64?
    }
}

extension ParliamentReport {
    /// Computes the report for `options.year`.
    public init(plan: Plan, snapshot: DatasetSnapshot, options: ReportOptions) {
        let year = options.year
        planID = plan.id
        planTitle = plan.title
        self.year = year
        basis = DataBasis(plan: plan, snapshot: snapshot, options: options)
        conflicts = ConflictRow.rows(snapshot.conflicts)

        let order = PlanOrder(plan)
        var entries: [String: ProgressEntry] = [:]
        for entry in snapshot.entries where entry.year == year {
            entries[Self.key(entry.department, entry.line)] = entry
        }
        let interventions = snapshot.interventions.filter { $0.year == year }
            .sorted {
                ($0.date, order.lineKey($0.line, $0.department), $0.id) < (
                    $1.date, order.lineKey($1.line, $1.department), $1.id
                )
            }
            .map(InterventionRow.init)
        var interventionsByKey: [String: [InterventionRow]] = [:]
        for row in interventions { interventionsByKey[Self.key(row.department, row.line), default: []].append(row) }
        let figureRows = FigureRow.rows(plan: plan, snapshot: snapshot, year: year)
        var figuresByKey: [String: [FigureRow]] = [:]
        for row in figureRows { figuresByKey[Self.key(row.department, row.line), default: []].append(row) }
        var reviews: [String: String] = [:]
        for review in snapshot.reviews where review.year == year { reviews[review.line] = review.note }
        figures = figureRows
        var conflictFields: [RecordKey: [String]] = [:]
        for conflict in snapshot.conflicts { conflictFields[conflict.record, default: []].append(conflict.field) }
        func conflictsOn(_ department: Department, _ line: String) -> [String] {
            let key = Self.key(department, line)
            var found = (conflictFields[.entry(department, year: year, line: line)] ?? []).sorted()
            for figure in figuresByKey[key] ?? [] {
                let fields = conflictFields[.figure(department, year: year, instrument: figure.instrument)] ?? []
                found += fields.sorted().map { "figure \(figure.instrument): \($0)" }
            }
            for row in interventionsByKey[key] ?? [] {
                let fields =
                    conflictFields[RecordKey(kind: .intervention, owner: .department(department), id: row.id)] ?? []
                found += fields.sorted().map { "intervention of \(row.date): \($0)" }
            }
            return found
        }

        // Departments with data on a line they are not listed for still appear, so nothing recorded is hidden.
        var departmentsWithData: [String: Set<Department>] = [:]
        for entry in entries.values { departmentsWithData[entry.line, default: []].insert(entry.department) }
        for row in interventions { departmentsWithData[row.line, default: []].insert(row.department) }
        for row in figureRows { departmentsWithData[row.line, default: []].insert(row.department) }

        objectives = plan.objectives.map { objective in
            ObjectiveSection(
                number: objective.number, title: objective.title,
                goals: objective.goals.map { goal in
                    GoalSection(
                        number: goal.number, text: goal.text,
                        lines: goal.lines.map { line in
                            let listed = Set(line.departments)
                            let shown = listed.union(departmentsWithData[line.id] ?? []).sorted()
                            return LineSection(
                                id: line.id, text: line.text,
                                departments: shown.map { department in
                                    let key = Self.key(department, line.id)
                                    return DepartmentSection(
                                        department: department, responsible: listed.contains(department),
                                        status: entries[key]?.status, narrative: entries[key]?.narrative ?? "",
                                        interventions: interventionsByKey[key] ?? [], figures: figuresByKey[key] ?? [],
                                        conflicts: conflictsOn(department, line.id))
                                },
                                review: reviews[line.id])
                        })
                })
        }

        completeness = Department.allCases.compactMap { department in
            let lines = plan.lines(for: department)
            guard !lines.isEmpty else { return nil }
            return DepartmentCompleteness(
                department: department,
                lines: lines.map { ($0.id, entries[Self.key(department, $0.id)] != nil) })
        }

        summary = Self.summary(plan: plan, entries: entries, interventions: interventions)
    }

    private static func key(_ department: Department, _ line: String) -> String { "\(department.rawValue)|\(line)" }

    private static func summary(plan: Plan, entries: [String: ProgressEntry], interventions: [InterventionRow])
        -> Summary
    {
        let statusOrder: [ProgressStatus?] = ProgressStatus.allCases.map { $0 } + [nil]
        func count(_ pairs: [(Department, String)]) -> [StatusCount] {
            var counts: [ProgressStatus?: Int] = [:]
            for (department, line) in pairs { counts[entries[key(department, line)]?.status, default: 0] += 1 }
            return statusOrder.map { StatusCount(status: $0, count: counts[$0] ?? 0) }
        }
        let pairs = plan.lines.flatMap { line in line.departments.map { ($0, line.id) } }

        let departments = Department.allCases.compactMap { department -> DepartmentSummary? in
            let lines = plan.lines(for: department)
            let own = interventions.filter { $0.department == department }
            guard !lines.isEmpty || !own.isEmpty else { return nil }
            return DepartmentSummary(
                department: department, responsibleLines: lines.count,
                statuses: count(lines.map { (department, $0.id) }), interventions: own.count,
                budgetCents: own.reduce(0) { $0 + ($1.budgetCents ?? 0) })
        }

        // An intervention in several countries counts in full under each of them: its budget is not split by
        // country in the data. The total counts each intervention once.
        var byCountry: [String: (count: Int, cents: Int64)] = [:]
        var none = (count: 0, cents: Int64(0))
        for row in interventions {
            if row.countries.isEmpty {
                none.count += 1
                none.cents += row.budgetCents ?? 0
            }
            for country in Set(row.countries) {
                byCountry[country, default: (0, 0)].count += 1
                byCountry[country, default: (0, 0)].cents += row.budgetCents ?? 0
            }
        }
        func budget(_ code: String) -> CountryBudget {
            CountryBudget(
                code: code, name: Country.names[code] ?? code, isTarget: Country.isTarget(code),
                interventions: byCountry[code]?.count ?? 0, budgetCents: byCountry[code]?.cents ?? 0)
        }
        let others = byCountry.keys.filter { !Country.isTarget($0) }.map(budget).sorted {
            ($0.name, $0.code) < ($1.name, $1.code)
        }
        return Summary(
            statuses: count(pairs), departments: departments, countries: Country.targets.map(budget) + others,
            withoutCountry: CountryBudget(
                code: "", name: "No country given", isTarget: false, interventions: none.count, budgetCents: none.cents),
            interventions: interventions.count,
            totalBudgetCents: interventions.reduce(0) { $0 + ($1.budgetCents ?? 0) },
            interventionsWithoutBudget: interventions.filter { $0.budgetCents == nil }.count)
    }
}

extension ParliamentReport.InterventionRow {
    init(_ intervention: Intervention) {
        self.init(
            id: intervention.id, department: intervention.department, line: intervention.line, date: intervention.date,
            countries: intervention.countries, description: intervention.description,
            budgetCents: intervention.budgetCents)
    }

    /// `Afghanistan, DR Congo` or `—`.
    var countriesText: String { ReportText.countries(countries) }
}

/// Wording shared by all renderers, so the formats say the same thing.
enum ReportText {
    static func status(_ status: ProgressStatus?) -> String {
        switch status {
        case .planned: "Planned"
        case .ongoing: "Ongoing"
        case .done: "Done"
        case .notApplicable: "Not applicable"
        case nil: "No report received"
        }
    }

    static func countries(_ codes: [String]) -> String {
        codes.isEmpty ? "—" : codes.map { Country.names[$0] ?? $0 }.joined(separator: ", ")
    }

    static func budget(_ cents: Int64?) -> String { cents.map(Euro.text) ?? "not given" }

    static let sharesNote = "Shares are of the total, people whose sex was not recorded included."

    static let countryNote =
        "An intervention in several countries counts in full under each of them; the total counts each intervention once."

    static func title(year: Int) -> String { "Report to Parliament on the implementation in \(year)" }
}
