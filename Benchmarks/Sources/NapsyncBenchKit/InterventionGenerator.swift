import NAPModel

/// Deterministic interventions: the record a department writes most, with six fields of mixed kinds (two
/// short texts, a date, a list of country codes, a free-text description and an optional budget).
///
/// Descriptions are drawn from a fixed vocabulary, so they compress about as well as real prose does; keys are
/// UUID-shaped, as `Intervention` makes them, so inserts land at random places in the B-trees.
public struct InterventionGenerator: Sendable {
    private var random: SplitMix64
    public let department: Department

    public init(seed: UInt64, department: Department = BenchPlan.department) {
        random = SplitMix64(seed: seed)
        self.department = department
    }

    public mutating func next() -> Intervention {
        let year = Int.random(in: 2013...2016, using: &random)
        let month = Int.random(in: 1...12, using: &random)
        let day = Int.random(in: 1...28, using: &random)
        let budget: Int64? = Int.random(in: 0..<5, using: &random) == 0 ? nil : Int64.random(in: 1_000...50_000_000, using: &random)
        return Intervention(
            id: uuid(), department: department, year: year,
            line: BenchPlan.lineIDs[Int.random(in: 0..<BenchPlan.lineIDs.count, using: &random)],
            date: "\(year)-\(pad(month))-\(pad(day))", countries: countries(), description: sentence(),
            budgetCents: budget)
    }

    /// The same intervention with one field edited, as a department revises its records: mostly the
    /// description, sometimes the budget or the countries. The new value always differs from the old one.
    public mutating func revise(_ record: Intervention) -> Intervention {
        var revised = record
        switch Int.random(in: 0..<10, using: &random) {
        case 0..<6:
            revised.description = sentence()
        case 6..<9:
            revised.budgetCents = (record.budgetCents ?? 0) + Int64.random(in: 1...2_000_000, using: &random)
        default:
            let others = Self.countryCodes.filter { !record.countries.contains($0) }
            revised.countries = record.countries.dropLast() + [others[Int.random(in: 0..<others.count, using: &random)]]
        }
        return revised
    }

    /// Revises one of `records`, picked from the same stream, in place; returns the revised record.
    public mutating func reviseOne(of records: inout [Intervention]) -> Intervention {
        let index = index(below: records.count)
        records[index] = revise(records[index])
        return records[index]
    }

    /// A pick between 0 and `bound`, from the same stream.
    private mutating func index(below bound: Int) -> Int { Int.random(in: 0..<bound, using: &random) }

    private mutating func uuid() -> String {
        let hex = (0..<2).map { _ in String(random.next(), radix: 16) }.map { String(repeating: "0", count: 16 - $0.count) + $0 }
            .joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    private func pad(_ number: Int) -> String { number < 10 ? "0\(number)" : "\(number)" }

    private mutating func countries() -> [String] {
        var picked: [String] = []
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let code = Self.countryCodes[Int.random(in: 0..<Self.countryCodes.count, using: &random)]
            if !picked.contains(code) { picked.append(code) }
        }
        return picked
    }

    private mutating func sentence() -> String {
        let count = Int.random(in: 6...24, using: &random)
        var words: [String] = []
        words.reserveCapacity(count)
        for _ in 0..<count { words.append(Self.vocabulary[Int.random(in: 0..<Self.vocabulary.count, using: &random)]) }
        return words.joined(separator: " ").prefix(1).uppercased() + words.joined(separator: " ").dropFirst() + "."
    }

    static let countryCodes = ["AFG", "COD", "MLI", "BEL", "NER", "BFA", "SEN", "UGA", "RWA", "BDI", "PSE", "COL"]

    static let vocabulary = """
        training session workshop women peace security gender mission deployment officers police military \
        civilian protection sexual violence survivors support local partners organisation funding project \
        programme awareness course module trainers participants community leaders mediation dialogue \
        reconciliation justice sector reform legal aid access courts advisers experts network conference \
        resolution implementation national action plan monitoring evaluation report indicators data \
        collection baseline annual review meeting coordination embassy ministry department federal \
        contribution trust fund united nations agency office field visit assessment needs refugees \
        asylum reception centres staff guidance handbook code conduct prevention exploitation abuse \
        leadership participation negotiations representation quota recruitment career advancement \
        specialists focal points briefing predeployment contingent observers peacekeeping operations \
        humanitarian assistance health psychosocial care education girls schools livelihoods economic \
        empowerment cooperatives microcredit research study publication campaign media outreach the of \
        and in for with on to by a an at from under through including across regional provincial
        """.split(separator: " ").map(String.init)
}
