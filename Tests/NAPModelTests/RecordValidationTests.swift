import NAPModel
import Testing

/// Records are checked against the bundled plan before they are stored; each refusal names the field.
@Suite("Record validation")
struct RecordValidationTests {
    let plan = Plan.bundled

    /// The field an `invalidField` error names, checked to appear in the message too.
    func field(of error: ModelError?) -> String? {
        guard case .invalidField(let field, _, _)? = error else { return nil }
        #expect(error?.description.contains(field) == true)
        return field
    }

    func entry(
        _ department: Department = .federalPolice, year: Int = 2014, line: String = "23.b", narrative: String = "Two calls."
    ) -> ProgressEntry {
        ProgressEntry(department: department, year: year, line: line, status: .ongoing, narrative: narrative)
    }

    func intervention(date: String = "2014-03-08", countries: [String] = ["COD"]) -> Intervention {
        Intervention(
            id: "i-1", department: .development, year: 2014, line: "17.a", date: date, countries: countries,
            description: "Support to a rule-of-law programme.", budgetCents: 150_000_00)
    }

    func figure(instrument: String = "23.b/2", value: FigureValue = .counts(women: 4, men: 11, unspecified: 0)) -> Figure {
        Figure(department: .federalPolice, year: 2015, instrument: instrument, value: value)
    }

    @Test func acceptsValidRecords() throws {
        try entry().validate(against: plan)
        try intervention().validate(against: plan)
        try intervention(date: "2016-02-29", countries: ["AFG", "MLI"]).validate(against: plan)
        try figure().validate(against: plan)
        try Figure(department: .foreignAffairs, year: 2016, instrument: "37/1", value: .yesNo(true)).validate(against: plan)
    }

    @Test(arguments: [2012, 2044, 0])
    func refusesAYearOutOfRange(_ year: Int) {
        let error = #expect(throws: ModelError.self) { try entry(year: year).validate(against: plan) }
        #expect(field(of: error) == "year")
    }

    @Test func refusesANegativeCount() {
        let error = #expect(throws: ModelError.self) {
            try figure(value: .counts(women: 3, men: -1, unspecified: 0)).validate(against: plan)
        }
        #expect(field(of: error) == "men")
    }

    @Test(arguments: [
        "2014-02-30", "2015-02-29", "2014-13-01", "14-03-08", "2014/03/08", "", "2014-+1-05", "2014-04-31", "2014-00-10",
        "2014-03-00", "1899-12-31", "2014-03-08 ", "２０１４-03-08",
    ])
    func refusesAMalformedDate(_ date: String) {
        let error = #expect(throws: ModelError.self) { try intervention(date: date).validate(against: plan) }
        #expect(field(of: error) == "date")
    }

    @Test(arguments: [["XXX"], ["cod"], ["CD"], ["COD", "ZZZ"]])
    func refusesAMalformedCountryCode(_ countries: [String]) {
        let error = #expect(throws: ModelError.self) { try intervention(countries: countries).validate(against: plan) }
        #expect(field(of: error) == "countries")
    }

    @Test func refusesAnUnknownLine() {
        let error = #expect(throws: ModelError.self) { try entry(line: "23.z").validate(against: plan) }
        #expect(error == .unknownLine("23.z"))
        #expect(error?.description.contains("23.z") == true)
    }

    @Test(arguments: ["23.b/3", "23.b", "99/1"])
    func refusesAnUnknownInstrument(_ instrument: String) {
        let error = #expect(throws: ModelError.self) { try figure(instrument: instrument).validate(against: plan) }
        #expect(error == .unknownInstrument(instrument))
    }

    @Test func refusesALineTheDepartmentIsNotResponsibleFor() {
        // Given: line 1.b belongs to Foreign Affairs and Equality
        // When: Fedasil records progress on it
        let error = #expect(throws: ModelError.self) { try entry(.fedasil, line: "1.b").validate(against: plan) }
        // Then: the refusal names the department, the line and who is responsible
        #expect(error == .notResponsible(department: .fedasil, line: "1.b", responsible: [.foreignAffairs, .equality]))
        let message = error?.description ?? ""
        #expect(message.contains("fedasil") && message.contains("1.b") && message.contains("foreign-affairs, equality"))
    }

    @Test func refusesAFigureForAnotherDepartmentsInstrument() {
        let error = #expect(throws: ModelError.self) {
            try Figure(department: .defence, year: 2015, instrument: "23.b/2", value: .number("3")).validate(against: plan)
        }
        #expect(error == .notResponsible(department: .defence, line: "23.b", responsible: [.federalPolice]))
    }

    @Test func refusesATooLongNarrative() throws {
        let narrative = String(repeating: "a", count: FieldLimits.narrative + 1)
        let error = #expect(throws: ModelError.self) { try entry(narrative: narrative).validate(against: plan) }
        #expect(field(of: error) == "narrative")
        try entry(narrative: String(repeating: "a", count: FieldLimits.narrative)).validate(against: plan)
    }

    @Test func countsCharactersNotBytesAgainstTheLimit() throws {
        // "é" is two UTF-8 bytes but one character: a narrative of the limit in such characters is accepted.
        try entry(narrative: String(repeating: "é", count: FieldLimits.narrative)).validate(against: plan)
        let error = #expect(throws: ModelError.self) {
            try entry(narrative: String(repeating: "é", count: FieldLimits.narrative + 1)).validate(against: plan)
        }
        #expect(field(of: error) == "narrative")
    }

    @Test(arguments: ["2016-02-29", "2000-02-29", "2014-12-31", "2014-04-30", "1900-01-01", "2100-12-31"])
    func acceptsACalendarDate(_ date: String) throws {
        try intervention(date: date).validate(against: plan)
    }
}
