import Foundation
import NAPModel

/// What the plan's data says about one indicator of an international framework in one year: the figures of the
/// instruments mapped to it, and the interventions and narratives of the lines those instruments belong to.
public struct IndicatorAnswer: Sendable, Hashable, Codable {
    public var code: String
    public var pillar: String?
    public var wording: String
    public var wordingChecked: Bool
    public var wordingNote: String?
    /// The plan's monitoring instruments mapped to this indicator, in plan order.
    public var instruments: [Instrument]
    /// Every department's figure for those instruments.
    public var figures: [FigureRow]
    /// The counts of all mapped instruments added up, with shares; nil when no count was recorded.
    public var bySex: SexTotals?
    /// The countries of the interventions, target countries first.
    public var countries: [CountryName]
    /// The interventions (projects) under the lines of the mapped instruments.
    public var projects: [Project]
    /// Each project counted once.
    public var totalBudgetCents: Int64
    public var totalBudgetEuros: String
    /// The departments' narratives for the lines of the mapped instruments.
    public var narrative: [Narrative]
    /// `no instrument of the plan is mapped`, `no data for 2015` or `answered`.
    public var coverage: Coverage

    public enum Coverage: String, Sendable, Hashable, Codable {
        case notMapped = "not-mapped"
        case noData = "no-data"
        case answered
    }

    public struct Instrument: Sendable, Hashable, Codable {
        public var id: String
        public var line: String
        public var text: String
    }

    public struct SexTotals: Sendable, Hashable, Codable {
        public var women: Int64
        public var men: Int64
        public var unspecified: Int64
        public var total: Int64
        public var percentWomen: Share?
        public var percentMen: Share?
    }

    public struct CountryName: Sendable, Hashable, Codable {
        public var code: String
        public var name: String
        public var target: Bool
    }

    public struct Project: Sendable, Hashable, Codable {
        public var id: String
        public var department: Department
        public var departmentName: String
        public var line: String
        public var date: String
        public var countries: [String]
        public var description: String
        public var budgetCents: Int64?
        public var budgetEuros: String?
    }

    public struct Narrative: Sendable, Hashable, Codable {
        public var department: Department
        public var departmentName: String
        public var line: String
        public var status: ProgressStatus
        public var text: String
    }

    /// `62.5% women` style summary of the counts, or nil.
    var bySexText: String? {
        guard let bySex else { return nil }
        var text = "women \(bySex.women), men \(bySex.men)"
        if bySex.unspecified > 0 { text += ", unspecified \(bySex.unspecified)" }
        text += " (total \(bySex.total)"
        if let women = bySex.percentWomen, let men = bySex.percentMen { text += "; \(women) women, \(men) men" }
        return text + ")"
    }

    /// `Defence 21/3: yes; Interior 21/3: no`, or nil.
    var yesNoText: String? {
        let rows = figures.filter { $0.kind == .yesNo }
        guard !rows.isEmpty else { return nil }
        return rows.map { "\($0.departmentName) \($0.instrument): \($0.valueText)" }.joined(separator: "; ")
    }

    /// `Defence 21/3: 12; Interior 21/3: 3.5`, or nil.
    var numbersText: String? {
        let rows = figures.filter { $0.kind == .number }
        guard !rows.isEmpty else { return nil }
        return rows.map { "\($0.departmentName) \($0.instrument): \($0.valueText)" }.joined(separator: "; ")
    }

    var coverageText: String {
        switch coverage {
        case .notMapped: "No monitoring instrument of the plan is mapped to this indicator."
        case .noData: "No data recorded for the year under the mapped instruments."
        case .answered: "Answered from the data below."
        }
    }
}

extension IndicatorAnswer {
    /// The answers to every indicator of a framework, in the framework's order.
    static func answers(
        framework: IndicatorFrameworks.Framework, frameworks: IndicatorFrameworks, plan: Plan,
        snapshot: DatasetSnapshot,
        year: Int
    ) -> [IndicatorAnswer] {
        let order = PlanOrder(plan)
        let figureRows = FigureRow.rows(plan: plan, snapshot: snapshot, year: year)
        let interventions = snapshot.interventions.filter { $0.year == year }
            .sorted {
                ($0.date, order.lineKey($0.line, $0.department), $0.id) < (
                    $1.date, order.lineKey($1.line, $1.department), $1.id
                )
            }
        let entries = snapshot.entries.filter { $0.year == year }
            .sorted { order.lineKey($0.line, $0.department) < order.lineKey($1.line, $1.department) }

        return framework.indicators.map { indicator in
            let instrumentIDs = frameworks.instruments(for: indicator.code)
                .sorted { order.instrumentKey($0) < order.instrumentKey($1) }
            let instruments = instrumentIDs.map { id in
                Instrument(
                    id: id, line: String(id.prefix { $0 != "/" }),
                    text: plan.instrument(id)?.text ?? "(not in the plan)")
            }
            let lines = Set(instruments.map(\.line))
            let figures = figureRows.filter { instrumentIDs.contains($0.instrument) }
            let projects = interventions.filter { lines.contains($0.line) }.map { intervention in
                Project(
                    id: intervention.id, department: intervention.department,
                    departmentName: intervention.department.displayName, line: intervention.line,
                    date: intervention.date,
                    countries: intervention.countries, description: intervention.description,
                    budgetCents: intervention.budgetCents, budgetEuros: intervention.budgetCents.map(Euro.plain))
            }
            let narrative = entries.filter { lines.contains($0.line) }.map {
                Narrative(
                    department: $0.department, departmentName: $0.department.displayName, line: $0.line,
                    status: $0.status,
                    text: $0.narrative)
            }
            let counted = figures.filter { $0.kind == .counts }
            var bySex: SexTotals?
            if !counted.isEmpty {
                let women = counted.reduce(0) { $0 + ($1.women ?? 0) }
                let men = counted.reduce(0) { $0 + ($1.men ?? 0) }
                let unspecified = counted.reduce(0) { $0 + ($1.unspecified ?? 0) }
                let total = women + men + unspecified
                bySex = SexTotals(
                    women: women, men: men, unspecified: unspecified, total: total,
                    percentWomen: Share(women, of: total), percentMen: Share(men, of: total))
            }
            let codes = Set(projects.flatMap(\.countries))
            let countries =
                (Country.targets.filter(codes.contains)
                + codes.filter { !Country.isTarget($0) }
                .sorted { (Country.names[$0] ?? $0, $0) < (Country.names[$1] ?? $1, $1) })
                .map { CountryName(code: $0, name: Country.names[$0] ?? $0, target: Country.isTarget($0)) }
            let total = projects.reduce(Int64(0)) { $0 + ($1.budgetCents ?? 0) }
            let coverage: Coverage =
                instruments.isEmpty
                ? .notMapped : (figures.isEmpty && projects.isEmpty && narrative.isEmpty ? .noData : .answered)
            return IndicatorAnswer(
                code: indicator.code, pillar: indicator.pillar, wording: indicator.wording,
                wordingChecked: indicator.wordingChecked, wordingNote: indicator.wordingNote, instruments: instruments,
                figures: figures, bySex: bySex, countries: countries, projects: projects, totalBudgetCents: total,
                totalBudgetEuros: Euro.plain(cents: total), narrative: narrative, coverage: coverage)
        }
    }
}

/// Why a response cannot be made.
public enum ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownFramework(body: String, id: String?, available: [String])
    /// The named framework lists no indicators, so there is nothing to answer.
    case emptyFramework(body: String, id: String, available: [String])
    /// No framework of the body lists indicators and applies to the year.
    case noFrameworkForYear(body: String, year: Int, available: [String])

    public var description: String {
        switch self {
        case .unknownFramework(let body, let id, let available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            if let id { return "no \(body) framework '\(id)' in the frameworks file (\(body) frameworks: \(list))" }
            return "the frameworks file has no \(body) framework; add one or point --frameworks at a file that has"
        case .emptyFramework(let body, let id, let available):
            let others = available.filter { $0 != id }
            return "the \(body) framework '\(id)' lists no indicators in the frameworks file, so there is nothing to "
                + "answer; add its indicators (and map the plan's instruments to them) in a copy of the file and pass "
                + "it with --frameworks FILE"
                + (others.isEmpty ? "" : ", or answer \(others.joined(separator: " or ")) with --framework")
        case .noFrameworkForYear(let body, let year, let available):
            let list = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "no \(body) framework in the frameworks file lists indicators and applies to \(year) "
                + "(\(body) frameworks: \(list)); name one with --framework or point --frameworks at a file that has one"
        }
    }
}
