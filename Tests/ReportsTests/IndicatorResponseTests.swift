import Foundation
import NAPModel
import Reports
import Testing

@Suite("EU and UN responses: figures worked out by hand")
struct IndicatorResponseTests {
    let eu: IndicatorResponse
    let un: IndicatorResponse

    init() throws {
        let frameworks = try Scenario.frameworks()
        eu = try IndicatorResponse.eu(
            plan: Scenario.plan, snapshot: Scenario.snapshot, frameworks: frameworks, options: Scenario.options)
        un = try IndicatorResponse.un(
            plan: Scenario.plan, snapshot: Scenario.snapshot, frameworks: frameworks, options: Scenario.options)
    }

    @Test func oneRowPerIndicatorInFrameworkOrder() {
        #expect(eu.indicators.map(\.code) == ["EU-T1", "EU-T2", "EU-T3"])
        #expect(eu.indicators.map(\.coverage) == [.answered, .answered, .notMapped])
        #expect(eu.framework.uncheckedWordings == 1)
    }

    @Test func countsBySexAddUpTheMappedInstruments() throws {
        // 21/2: Foreign Affairs 120/280/0 and Defence 2/7/1; 23.b/1: Defence 1/2/0.
        // Women 123, men 289, unspecified 1: total 413; 123/413 = 29.78% and 289/413 = 69.98%.
        let bySex = try #require(eu.indicators[0].bySex)
        #expect((bySex.women, bySex.men, bySex.unspecified, bySex.total) == (123, 289, 1, 413))
        #expect(bySex.percentWomen?.description == "29.8%")
        #expect(bySex.percentMen?.description == "70.0%")
        #expect(eu.indicators[0].instruments.map(\.id) == ["21/2", "23.b/1"])
    }

    @Test func projectsCountriesAndNarrativeComeFromTheMappedLines() {
        let answer = eu.indicators[1]
        #expect(answer.instruments.map(\.id) == ["23.b/2", "23.b/3"])  // plan order, not file order
        #expect(answer.projects.map(\.id) == ["i3"])
        #expect(answer.totalBudgetCents == 500_000)
        #expect(answer.countries.map(\.code) == ["MLI", "BEL"])  // target country first
        #expect(answer.narrative.map(\.text) == ["Courses held."])
        #expect(answer.figures.map(\.valueText) == ["12.5", "yes"])
        #expect(answer.bySex == nil)
    }

    @Test func theUNResponseIsOrganisedByTheFourPillars() {
        #expect(un.pillars.map(\.title) == ["Prevention", "Participation", "Protection", "Relief and recovery"])
        #expect(un.pillars.map { $0.indicators.map(\.code) } == [[], ["UN-T1"], ["UN-T2"], []])
        let protection = un.pillars[2].indicators[0]
        #expect(protection.projects.map(\.id) == ["i1"])
        #expect(protection.countries.map(\.name) == ["Afghanistan"])
    }

    @Test func jsonIsStableAndSorted() throws {
        let json = eu.json()
        #expect(json == eu.json())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        #expect(object.keys.sorted() == ["basis", "conflicts", "framework", "pillars", "planID", "planTitle", "year"])
        #expect(json.contains("\"percentWomen\" : 29.8"))
    }

    @Test func csvQuotesFieldsAsRFC4180Says() {
        let csv = eu.csv()
        #expect(csv.hasSuffix("\r\n"))
        // The description holds a comma and quotes: the field is quoted and the quotes doubled.
        #expect(csv.contains("Training for Malian officers, \"\"gender\"\" module"))
        let header = csv.components(separatedBy: "\r\n")[0]
        #expect(header.hasPrefix("framework,pillar,code,wording,wording_checked"))
    }
}
