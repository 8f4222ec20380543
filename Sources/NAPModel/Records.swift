import Foundation

/// A department record that maps to and from the generic fields the replica stores.
public protocol DepartmentRecord: Sendable, Hashable, Codable {
    static var kind: RecordKind { get }
    var key: RecordKey { get }
    /// Every field of the record, as the replica stores it.
    var fields: RecordFields { get }
    /// `fields`, sorted by name.
    var sortedFields: SortedFields { get }
    /// Rebuilds the record from stored fields; nil if a required field is missing.
    init?(key: RecordKey, fields: RecordFields)
    /// Checks the record against the plan; throws an error naming the first bad field.
    func validate(against plan: Plan) throws(ModelError)
}

extension DepartmentRecord {
    public var sortedFields: SortedFields {
        fields.sortedByName
    }
}

public enum ProgressStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case planned
    case ongoing
    case done
    case notApplicable = "not-applicable"

    public init(parsing text: String) throws(ModelError) {
        guard let status = ProgressStatus(rawValue: text.lowercased()) else {
            throw .invalidField(field: "status", value: text, expected: Self.allCases.map(\.rawValue).joined(separator: ", "))
        }
        self = status
    }
}

/// Limits that keep one record to a sane size; a narrative is a few pages at most.
public enum FieldLimits {
    public static let narrative = 20_000
    public static let description = 4_000
    public static let note = 20_000
    public static let countries = 50
    public static let maxCount: Int64 = 100_000_000
    public static let maxBudgetCents: Int64 = 100_000_000_000_00

    static func text(_ value: String, field: String, max: Int, required: Bool = false) throws(ModelError) {
        if required && !value.contains(where: { !$0.isWhitespace }) {
            throw .invalidField(field: field, value: value, expected: "non-empty text")
        }
        // A text has at most as many characters as UTF-8 bytes: counting characters, which walks grapheme
        // clusters, is needed only for a text near the limit.
        guard value.utf8.count <= max || value.count <= max else {
            throw .invalidField(field: field, value: value, expected: "at most \(max) characters (got \(value.count))")
        }
    }

    static func count(_ value: Int64, field: String) throws(ModelError) {
        guard (0...maxCount).contains(value) else {
            throw .invalidField(field: field, value: String(value), expected: "a whole number from 0 to \(maxCount)")
        }
    }
}

/// A department's progress on one line of action in one reporting year.
public struct ProgressEntry: DepartmentRecord {
    public static let kind = RecordKind.entry
    public var department: Department
    public var year: Int
    public var line: String
    public var status: ProgressStatus
    public var narrative: String

    public init(department: Department, year: Int, line: String, status: ProgressStatus, narrative: String) {
        self.department = department
        self.year = year
        self.line = line
        self.status = status
        self.narrative = narrative
    }

    public var key: RecordKey { .entry(department, year: year, line: line) }

    public var fields: RecordFields { Dictionary(uniqueKeysWithValues: sortedFields) }

    public var sortedFields: SortedFields {
        [("line", .text(line)), ("narrative", .text(narrative)), ("status", .text(status.rawValue)), ("year", .int(Int64(year)))]
    }

    public init?(key: RecordKey, fields: RecordFields) {
        guard case .department(let department) = key.owner, let year = fields["year"]?.int,
            let line = fields["line"]?.text, let status = fields["status"]?.text.flatMap(ProgressStatus.init(rawValue:))
        else { return nil }
        self.init(department: department, year: Int(year), line: line, status: status, narrative: fields["narrative"]?.text ?? "")
    }

    public func validate(against plan: Plan) throws(ModelError) {
        try plan.validateYear(year)
        _ = try plan.line(line, recordableBy: department)
        try FieldLimits.text(narrative, field: "narrative", max: FieldLimits.narrative)
    }
}

/// Something a department did under a line of action.
public struct Intervention: DepartmentRecord {
    public static let kind = RecordKind.intervention
    /// Globally unique, chosen by the node that creates the intervention.
    public var id: String
    public var department: Department
    public var year: Int
    public var line: String
    /// ISO 8601 calendar date, `YYYY-MM-DD`.
    public var date: String
    /// ISO 3166-1 alpha-3 codes.
    public var countries: [String]
    public var description: String
    public var budgetCents: Int64?

    public init(
        id: String = UUID().uuidString.lowercased(), department: Department, year: Int, line: String, date: String,
        countries: [String], description: String, budgetCents: Int64?
    ) {
        self.id = id
        self.department = department
        self.year = year
        self.line = line
        self.date = date
        self.countries = countries
        self.description = description
        self.budgetCents = budgetCents
    }

    public var key: RecordKey { RecordKey(kind: .intervention, owner: .department(department), id: id) }

    public var fields: RecordFields { Dictionary(uniqueKeysWithValues: sortedFields) }

    public var sortedFields: SortedFields {
        [
            ("budget", budgetCents.map(FieldValue.int) ?? .null), ("countries", .list(countries)), ("date", .text(date)),
            ("description", .text(description)), ("line", .text(line)), ("year", .int(Int64(year))),
        ]
    }

    public init?(key: RecordKey, fields: RecordFields) {
        guard case .department(let department) = key.owner, let year = fields["year"]?.int,
            let line = fields["line"]?.text, let date = fields["date"]?.text
        else { return nil }
        self.init(
            id: key.id, department: department, year: Int(year), line: line, date: date,
            countries: fields["countries"]?.list ?? [], description: fields["description"]?.text ?? "",
            budgetCents: fields["budget"]?.int)
    }

    public func validate(against plan: Plan) throws(ModelError) {
        try plan.validateYear(year)
        _ = try plan.line(line, recordableBy: department)
        try Self.validateDate(date)
        guard countries.count <= FieldLimits.countries else {
            throw .invalidField(field: "countries", value: countries.joined(separator: ","), expected: "at most \(FieldLimits.countries) countries")
        }
        for country in countries where !Country.all.contains(country) {
            throw .invalidField(field: "countries", value: country, expected: "upper-case ISO 3166-1 alpha-3 codes")
        }
        try FieldLimits.text(description, field: "description", max: FieldLimits.description, required: true)
        if let budgetCents, !(0...FieldLimits.maxBudgetCents).contains(budgetCents) {
            throw .invalidField(field: "budget", value: String(budgetCents), expected: "a non-negative amount in euros")
        }
    }

    /// Checks `YYYY-MM-DD` is a real calendar date.
    public static func validateDate(_ date: String) throws(ModelError) {
        // Read as ASCII bytes rather than split and parsed as integers: `Int("+1")` is 1, which let a month
        // written `+1` through, and this runs for every intervention saved.
        var date = date
        let valid = date.withUTF8 { bytes in
            func number(_ range: Range<Int>) -> Int? {
                var value = 0
                for index in range {
                    guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { return nil }
                    value = value * 10 + Int(bytes[index] - UInt8(ascii: "0"))
                }
                return value
            }
            guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
                let year = number(0..<4), let month = number(5..<7), let day = number(8..<10)
            else { return false }
            return (1900...2100).contains(year) && (1...12).contains(month) && day >= 1 && day <= daysIn(month: month, year: year)
        }
        guard valid else { throw .invalidField(field: "date", value: date, expected: "a calendar date as YYYY-MM-DD") }
    }

    private static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

/// The value a department records for a monitoring instrument. Counts are stored raw; percentages and ratios
/// are derived when shown.
public enum FigureValue: Sendable, Hashable, Codable {
    case counts(women: Int64, men: Int64, unspecified: Int64)
    /// A decimal number kept as text (`12`, `3.5`) so that it is exact on every replica.
    case number(String)
    case yesNo(Bool)

    public var total: Int64? {
        if case .counts(let women, let men, let unspecified) = self { women + men + unspecified } else { nil }
    }
}

/// A department's figure for one monitoring instrument in one year.
public struct Figure: DepartmentRecord {
    public static let kind = RecordKind.figure
    public var department: Department
    public var year: Int
    public var instrument: String
    public var value: FigureValue

    public init(department: Department, year: Int, instrument: String, value: FigureValue) {
        self.department = department
        self.year = year
        self.instrument = instrument
        self.value = value
    }

    public var line: String { String(instrument.prefix { $0 != "/" }) }

    public var key: RecordKey { .figure(department, year: year, instrument: instrument) }

    public var fields: RecordFields {
        var fields: RecordFields = ["year": .int(Int64(year)), "instrument": .text(instrument)]
        switch value {
        case .counts(let women, let men, let unspecified):
            fields["kind"] = .text("counts")
            fields["women"] = .int(women)
            fields["men"] = .int(men)
            fields["unspecified"] = .int(unspecified)
        case .number(let number):
            fields["kind"] = .text("number")
            fields["number"] = .text(number)
        case .yesNo(let answer):
            fields["kind"] = .text("yes-no")
            fields["answer"] = .bool(answer)
        }
        return fields
    }

    public init?(key: RecordKey, fields: RecordFields) {
        guard case .department(let department) = key.owner, let year = fields["year"]?.int,
            let instrument = fields["instrument"]?.text
        else { return nil }
        let value: FigureValue
        switch fields["kind"]?.text {
        case "counts":
            value = .counts(
                women: fields["women"]?.int ?? 0, men: fields["men"]?.int ?? 0,
                unspecified: fields["unspecified"]?.int ?? 0)
        case "number":
            guard let number = fields["number"]?.text else { return nil }
            value = .number(number)
        case "yes-no":
            guard let answer = fields["answer"]?.bool else { return nil }
            value = .yesNo(answer)
        default:
            return nil
        }
        self.init(department: department, year: Int(year), instrument: instrument, value: value)
    }

    public func validate(against plan: Plan) throws(ModelError) {
        try plan.validateYear(year)
        guard plan.instrument(instrument) != nil else { throw .unknownInstrument(instrument) }
        _ = try plan.line(line, recordableBy: department)
        switch value {
        case .counts(let women, let men, let unspecified):
            try FieldLimits.count(women, field: "women")
            try FieldLimits.count(men, field: "men")
            try FieldLimits.count(unspecified, field: "unspecified")
        case .number(let number):
            guard number.wholeMatch(of: /-?[0-9]{1,15}(\.[0-9]{1,6})?/) != nil else {
                throw .invalidField(field: "number", value: number, expected: "a decimal number such as 12 or 3.5")
            }
        case .yesNo:
            break
        }
    }
}

/// The coordinator's review of a line of action in a year.
public struct Review: DepartmentRecord {
    public static let kind = RecordKind.review
    public var year: Int
    public var line: String
    public var note: String

    public init(year: Int, line: String, note: String) {
        self.year = year
        self.line = line
        self.note = note
    }

    public var key: RecordKey { .review(year: year, line: line) }

    public var fields: RecordFields { Dictionary(uniqueKeysWithValues: sortedFields) }

    public var sortedFields: SortedFields { [("line", .text(line)), ("note", .text(note)), ("year", .int(Int64(year)))] }

    public init?(key: RecordKey, fields: RecordFields) {
        guard key.owner == .coordinator, let year = fields["year"]?.int, let line = fields["line"]?.text else { return nil }
        self.init(year: Int(year), line: line, note: fields["note"]?.text ?? "")
    }

    public func validate(against plan: Plan) throws(ModelError) {
        try plan.validateYear(year)
        guard plan.line(line) != nil else { throw .unknownLine(line) }
        try FieldLimits.text(note, field: "note", max: FieldLimits.note, required: true)
    }
}
