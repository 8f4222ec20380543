import Foundation
import NAPModel

/// A response to an international indicator framework: the EU's indicators on UNSCR 1325 and 1820, or the UN's
/// global indicators. The EU response lists one row per indicator; the UN response groups them by pillar and adds
/// a quantitative annex. Both are pure functions of the plan, a snapshot and the frameworks file.
public struct IndicatorResponse: Sendable, Hashable, Codable {
    public var planID: String
    public var planTitle: String
    public var year: Int
    public var framework: FrameworkInfo
    public var basis: DataBasis
    /// Groups of indicators: one per pillar for a framework with pillars, otherwise a single unnamed group.
    public var pillars: [PillarAnswers]
    public var conflicts: [ConflictRow]

    public struct FrameworkInfo: Sendable, Hashable, Codable {
        public var id: String
        public var body: String
        public var title: String
        public var source: String
        public var note: String?
        /// How many wordings could not be checked against the source.
        public var uncheckedWordings: Int
        /// Why this framework answers when a more recent one applies to the year; nil when none was passed over.
        public var selection: String?
    }

    public struct PillarAnswers: Sendable, Hashable, Codable {
        /// Nil for a framework without pillars (or indicators outside every pillar).
        public var id: String?
        public var title: String?
        public var indicators: [IndicatorAnswer]
    }

    /// Every indicator, in framework order.
    public var indicators: [IndicatorAnswer] { pillars.flatMap(\.indicators) }

    /// The EU response for `options.year`, on `options.euFramework` or, when none is named, on the most recent EU
    /// framework that applies to the year and lists indicators (see `IndicatorFrameworks.defaultFramework`).
    public static func eu(
        plan: Plan, snapshot: DatasetSnapshot, frameworks: IndicatorFrameworks, options: ReportOptions
    ) throws(ReportError) -> IndicatorResponse {
        try IndicatorResponse(
            plan: plan, snapshot: snapshot, frameworks: frameworks, body: .eu, id: options.euFramework, options: options
        )
    }

    /// The UN response for `options.year`, organised by the framework's pillars; the framework is chosen as for the
    /// EU response.
    public static func un(
        plan: Plan, snapshot: DatasetSnapshot, frameworks: IndicatorFrameworks, options: ReportOptions
    ) throws(ReportError) -> IndicatorResponse {
        try IndicatorResponse(
            plan: plan, snapshot: snapshot, frameworks: frameworks, body: .un, id: options.unFramework, options: options
        )
    }

    init(
        plan: Plan, snapshot: DatasetSnapshot, frameworks: IndicatorFrameworks, body: IndicatorFrameworks.Body,
        id: String?,
        options: ReportOptions
    ) throws(ReportError) {
        let available = frameworks.frameworks.filter { $0.body == body }.map(\.id)
        let framework: IndicatorFrameworks.Framework
        var passedOver: [IndicatorFrameworks.Framework] = []
        if let id {
            guard let named = frameworks.framework(body, id: id) else {
                throw .unknownFramework(body: body.rawValue, id: id, available: available)
            }
            guard !named.indicators.isEmpty else {
                throw .emptyFramework(body: body.rawValue, id: id, available: available)
            }
            framework = named
        } else {
            guard !available.isEmpty else { throw .unknownFramework(body: body.rawValue, id: nil, available: []) }
            guard let choice = frameworks.defaultFramework(body, year: options.year) else {
                throw .noFrameworkForYear(body: body.rawValue, year: options.year, available: available)
            }
            framework = choice.framework
            passedOver = choice.passedOver
        }
        planID = plan.id
        planTitle = plan.title
        year = options.year
        self.framework = FrameworkInfo(
            id: framework.id, body: framework.body.rawValue, title: framework.title, source: framework.source,
            note: framework.note, uncheckedWordings: framework.indicators.filter { !$0.wordingChecked }.count,
            selection: Self.selection(framework, passedOver: passedOver, year: options.year))
        basis = DataBasis(plan: plan, snapshot: snapshot, options: options)
        conflicts = ConflictRow.rows(snapshot.conflicts)
        let answers = IndicatorAnswer.answers(
            framework: framework, frameworks: frameworks, plan: plan, snapshot: snapshot, year: options.year)
        if framework.pillars.isEmpty {
            pillars = [PillarAnswers(id: nil, title: nil, indicators: answers)]
        } else {
            pillars = framework.pillars.map { pillar in
                PillarAnswers(id: pillar.id, title: pillar.title, indicators: answers.filter { $0.pillar == pillar.id })
            }
            let outside = answers.filter { answer in !framework.pillars.contains { $0.id == answer.pillar } }
            if !outside.isEmpty {
                pillars.append(PillarAnswers(id: nil, title: "Other indicators", indicators: outside))
            }
        }
    }

    var title: String {
        framework.body == IndicatorFrameworks.Body.eu.rawValue
            ? "Response to the EU indicators on UNSCR 1325 and 1820: \(year)"
            : "Response to the UN global indicators on UNSCR 1325: \(year)"
    }

    static let uncheckedMark = "†"

    /// `Answered on eu-2010 for 2016: eu-2016, which applies from 2016, lists no indicators in the frameworks file.`
    static func selection(
        _ framework: IndicatorFrameworks.Framework, passedOver: [IndicatorFrameworks.Framework], year: Int
    ) -> String? {
        guard !passedOver.isEmpty else { return nil }
        let skipped = passedOver.map { skipped in
            skipped.id + (skipped.appliesFrom.map { ", which applies from \($0)," } ?? "")
        }
        let verb = passedOver.count == 1 ? "lists" : "list"
        return "Answered on \(framework.id) for \(year): \(skipped.joined(separator: " and ")) \(verb) no indicators "
            + "in the frameworks file."
    }
}

extension IndicatorResponse {
    /// The response as JSON: keys sorted and output stable, so that two runs on the same data give the same bytes.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        // Encoding plain values with string keys cannot fail.
        let data = try! encoder.encode(self)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// One row per indicator (RFC 4180): values by sex with shares, numbers, yes/no answers, countries, projects
    /// with budgets and the narrative, each row ending with what the data rests on.
    public func csv() -> String {
        var csv = CSVWriter(
            header: [
                "framework", "pillar", "code", "wording", "wording_checked", "coverage", "instruments", "women", "men",
                "unspecified", "total", "percent_women", "percent_men", "numbers", "yes_no", "countries", "projects",
                "budget_euros", "project_list", "narrative",
            ] + DataBasis.csvHeader)
        let trailer = basis.csvFields(conflicts: conflicts.count)
        for pillar in pillars {
            for answer in pillar.indicators {
                csv.row(
                    [
                        framework.id, pillar.title ?? "", answer.code, answer.wording,
                        answer.wordingChecked ? "yes" : "no",
                        answer.coverage.rawValue, answer.instruments.map(\.id).joined(separator: " "),
                        answer.bySex.map { String($0.women) } ?? "", answer.bySex.map { String($0.men) } ?? "",
                        answer.bySex.map { String($0.unspecified) } ?? "", answer.bySex.map { String($0.total) } ?? "",
                        answer.bySex?.percentWomen?.plain ?? "", answer.bySex?.percentMen?.plain ?? "",
                        answer.numbersText ?? "", answer.yesNoText ?? "",
                        answer.countries.map(\.code).joined(separator: " "),
                        String(answer.projects.count), answer.totalBudgetEuros,
                        answer.projects.map { project in
                            "\(project.date) \(project.departmentName): \(project.description)"
                                + (project.budgetCents.map { " (\(Euro.text(cents: $0)))" } ?? "")
                        }.joined(separator: "\n"),
                        answer.narrative.map {
                            "\($0.departmentName), line \($0.line) (\(ReportText.status($0.status))): \($0.text)"
                        }
                        .joined(separator: "\n\n"),
                    ] + trailer)
            }
        }
        return csv.text
    }

    /// The quantitative annex of the UN response as CSV: one row per figure of a mapped instrument.
    public func quantitativeCSV() -> String {
        var csv = CSVWriter(header: ["pillar", "code"] + FigureRow.csvHeader + DataBasis.csvHeader)
        let trailer = basis.csvFields(conflicts: conflicts.count)
        for pillar in pillars {
            for answer in pillar.indicators {
                for figure in answer.figures {
                    csv.row([pillar.title ?? "", answer.code] + figure.csvFields(basis: basis) + trailer)
                }
            }
        }
        return csv.text
    }
}
