import NAPModel
import Testing

/// What a record hands the replica: its fields by name, and the same fields sorted by name, from which it is
/// rebuilt as it was.
@Suite struct RecordFieldsTests {
    static let records: [any DepartmentRecord] = [
        ProgressEntry(department: .defence, year: 2014, line: "4.a", status: .ongoing, narrative: "Two trainings."),
        Intervention(
            id: "i-1", department: .development, year: 2015, line: "17.a", date: "2015-06-01", countries: ["COD", "MLI"],
            description: "Rule of law.", budgetCents: 12_000_00),
        Intervention(
            id: "i-2", department: .development, year: 2015, line: "17.a", date: "2015-06-01", countries: [], description: "No budget.",
            budgetCents: nil),
        Figure(department: .federalPolice, year: 2014, instrument: "23.b/2", value: .counts(women: 3, men: 5, unspecified: 1)),
        Figure(department: .federalPolice, year: 2014, instrument: "23.b/2", value: .yesNo(true)),
        Review(year: 2015, line: "1.a", note: "Checked."),
    ]

    @Test(arguments: records.indices)
    func sortedFieldsAreTheFieldsInNameOrder(_ index: Int) {
        let record = Self.records[index]
        #expect(record.sortedFields.map(\.name) == record.fields.keys.sorted())
        #expect(record.sortedFields.allSatisfy { record.fields[$0.name] == $0.value })
    }

    @Test func eachKindOfRecordWritesItsFields() {
        // What a replica stores of each kind, pinned: a field left out of `sortedFields` would never be written.
        #expect(Self.records.map { $0.sortedFields.map(\.name) } == [
            ["line", "narrative", "status", "year"],
            ["budget", "countries", "date", "description", "line", "year"],
            ["budget", "countries", "date", "description", "line", "year"],
            ["instrument", "kind", "men", "unspecified", "women", "year"],
            ["answer", "instrument", "kind", "year"],
            ["line", "note", "year"],
        ])
        #expect(Self.records[2].sortedFields.first { $0.name == "budget" }?.value == .null)
    }

    @Test(arguments: records.indices)
    func aRecordRebuiltFromItsFieldsIsTheSame(_ index: Int) {
        func check<R: DepartmentRecord>(_ record: R) {
            #expect(R(key: record.key, fields: record.fields) == record)
        }
        check(Self.records[index])
    }
}
