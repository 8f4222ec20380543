import Foundation
import NAPModel

/// One department's figure for one monitoring instrument, with what is derived from it: shares of women and men
/// and the change since the previous year.
public struct FigureRow: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable {
        case counts
        case number
        case yesNo = "yes-no"
    }

    public var department: Department
    public var departmentName: String
    public var year: Int
    public var line: String
    public var instrument: String
    /// The instrument's wording in the plan.
    public var instrumentText: String
    public var kind: Kind
    public var women: Int64?
    public var men: Int64?
    public var unspecified: Int64?
    public var total: Int64?
    /// Share of women in the total (unspecified included in the total).
    public var percentWomen: Share?
    public var percentMen: Share?
    /// The decimal as recorded, for a `number` figure.
    public var number: String?
    public var answer: Bool?
    /// The same department's figure for the same instrument a year earlier, if any.
    public var previous: Previous?

    public struct Previous: Sendable, Hashable, Codable {
        public var year: Int
        /// The earlier value in words: `women 4, men 6 (total 10)`, `12`, `no`.
        public var value: String
        /// The change in words: `total +2; women +3, men -1; share of women +12.5 points`.
        public var change: String
        /// For counts: the change in the total.
        public var totalChange: Int64?
        /// For counts: the change in the share of women, in tenths of a percentage point.
        public var womenShareChangeTenths: Int64?
        /// For numbers: the exact difference as a decimal.
        public var numberChange: String?
    }

    init(_ figure: Figure, plan: Plan, previous: Figure?) {
        department = figure.department
        departmentName = figure.department.displayName
        year = figure.year
        line = figure.line
        instrument = figure.instrument
        instrumentText =
            plan.instrument(figure.instrument)?.text ?? "(instrument \(figure.instrument) is not in the plan)"
        switch figure.value {
        case .counts(let women, let men, let unspecified):
            kind = .counts
            self.women = women
            self.men = men
            self.unspecified = unspecified
            let total = women + men + unspecified
            self.total = total
            percentWomen = Share(women, of: total)
            percentMen = Share(men, of: total)
        case .number(let number):
            kind = .number
            self.number = number
        case .yesNo(let answer):
            kind = .yesNo
            self.answer = answer
        }
        if let previous { self.previous = Self.change(from: previous, to: figure) }
    }

    /// The value in words: `women 12, men 18 (total 30)`, `3.5`, `yes`.
    public var valueText: String {
        Self.valueText(kind: kind, women: women, men: men, unspecified: unspecified, number: number, answer: answer)
    }

    static func valueText(kind: Kind, women: Int64?, men: Int64?, unspecified: Int64?, number: String?, answer: Bool?)
        -> String
    {
        switch kind {
        case .counts:
            var text = "women \(women ?? 0), men \(men ?? 0)"
            if let unspecified, unspecified > 0 { text += ", unspecified \(unspecified)" }
            return text + " (total \((women ?? 0) + (men ?? 0) + (unspecified ?? 0)))"
        case .number: return number ?? ""
        case .yesNo: return (answer ?? false) ? "yes" : "no"
        }
    }

    private static func change(from old: Figure, to new: Figure) -> Previous {
        let oldText = valueText(old.value)
        var previous = Previous(year: old.year, value: oldText, change: "")
        switch (old.value, new.value) {
        case (.counts(let w0, let m0, let u0), .counts(let w1, let m1, let u1)):
            let totalChange = (w1 + m1 + u1) - (w0 + m0 + u0)
            previous.totalChange = totalChange
            var parts = ["total \(signed(totalChange))", "women \(signed(w1 - w0)), men \(signed(m1 - m0))"]
            if let before = Share(w0, of: w0 + m0 + u0), let after = Share(w1, of: w1 + m1 + u1) {
                previous.womenShareChangeTenths = after.tenths - before.tenths
                parts.append("share of women \(Share.pointsChange(from: before, to: after))")
            }
            previous.change = parts.joined(separator: "; ")
        case (.number(let before), .number(let after)):
            if let a = Decimal(string: before, locale: Locale(identifier: "en_US_POSIX")),
                let b = Decimal(string: after, locale: Locale(identifier: "en_US_POSIX"))
            {
                let delta = b - a
                let text = delta.description
                previous.numberChange = delta > 0 ? "+" + text : text
                previous.change = delta == 0 ? "no change" : previous.numberChange!
            } else {
                previous.change = "was \(before)"
            }
        case (.yesNo(let before), .yesNo(let after)):
            previous.change = before == after ? "no change" : "was \(before ? "yes" : "no")"
        default:
            previous.change = "measured differently in \(old.year): \(oldText)"
        }
        return previous
    }

    static func valueText(_ value: FigureValue) -> String {
        switch value {
        case .counts(let women, let men, let unspecified):
            valueText(kind: .counts, women: women, men: men, unspecified: unspecified, number: nil, answer: nil)
        case .number(let number): number
        case .yesNo(let answer): answer ? "yes" : "no"
        }
    }

    private static func signed(_ value: Int64) -> String { value > 0 ? "+\(value)" : value == 0 ? "±0" : "\(value)" }

    /// Every figure of a year, each with its previous-year counterpart, in plan order then department order.
    static func rows(plan: Plan, snapshot: DatasetSnapshot, year: Int) -> [FigureRow] {
        var earlier: [String: Figure] = [:]
        for figure in snapshot.figures where figure.year == year - 1 {
            earlier["\(figure.department.rawValue)|\(figure.instrument)"] = figure
        }
        let order = PlanOrder(plan)
        return snapshot.figures.filter { $0.year == year }
            .sorted {
                order.instrumentKey($0.instrument, $0.department) < order.instrumentKey($1.instrument, $1.department)
            }
            .map { FigureRow($0, plan: plan, previous: earlier["\($0.department.rawValue)|\($0.instrument)"]) }
    }
}
