import Foundation
import NAPModel
import Reports
import Testing

/// Which set a response answers when the file holds two of a body, as the EU's 2010 indicators and their 2016
/// revision: the most recent that applies to the year and lists indicators, unless one is named.
@Suite("Choosing between two frameworks of a body")
struct FrameworkChoiceTests {
    /// The scenario's file with its EU set applying from 2010 and a revision applying from 2016, filled or empty.
    static func frameworks(revisionFilled: Bool) throws -> IndicatorFrameworks {
        var frameworks = try Scenario.frameworks()
        let index = try #require(frameworks.frameworks.firstIndex { $0.id == "eu-test" })
        frameworks.frameworks[index].appliesFrom = 2010
        let revised = IndicatorFrameworks.Indicator(
            code: "EU16-1", wording: "A revised indicator", wordingChecked: true)
        frameworks.frameworks.insert(
            IndicatorFrameworks.Framework(
                id: "eu-revised", body: .eu, title: "Revised test EU indicators", source: "Test source, doc. 2/16",
                appliesFrom: 2016, indicators: revisionFilled ? [revised] : []),
            at: index + 1)
        return frameworks
    }

    static func eu(year: Int, named id: String? = nil, revisionFilled: Bool) throws -> IndicatorResponse {
        try IndicatorResponse.eu(
            plan: Scenario.plan, snapshot: Scenario.snapshot, frameworks: frameworks(revisionFilled: revisionFilled),
            options: ReportOptions(year: year, euFramework: id))
    }

    @Test(arguments: [false, true])
    func beforeTheRevisionAppliesTheOlderSetAnswers(revisionFilled: Bool) throws {
        let response = try Self.eu(year: 2015, revisionFilled: revisionFilled)
        #expect(response.framework.id == "eu-test")
        #expect(response.framework.selection == nil)
    }

    @Test func fromItsFirstYearTheRevisionAnswersOnceItListsIndicators() throws {
        let response = try Self.eu(year: 2016, revisionFilled: true)
        #expect(response.framework.id == "eu-revised")
        #expect(response.indicators.map(\.code) == ["EU16-1"])
        #expect(response.framework.selection == nil)
    }

    @Test func anEmptyRevisionIsPassedOverAndTheResponseSaysSo() throws {
        let response = try Self.eu(year: 2016, revisionFilled: false)
        #expect(response.framework.id == "eu-test")
        let selection = try #require(response.framework.selection)
        #expect(
            selection
                == "Answered on eu-test for 2016: eu-revised, which applies from 2016, lists no indicators in the "
                + "frameworks file.")
        #expect(response.markdown().contains(selection))
        #expect(response.html().contains(selection))
        #expect(response.json().contains(#""selection" : "Answered on eu-test"#))
    }

    @Test func aNamedFrameworkAnswersWhateverTheYear() throws {
        #expect(try Self.eu(year: 2016, named: "eu-test", revisionFilled: true).framework.id == "eu-test")
        #expect(try Self.eu(year: 2015, named: "eu-revised", revisionFilled: true).framework.id == "eu-revised")
    }

    @Test func namingAFrameworkWithoutIndicatorsIsAClearError() throws {
        let error = ReportError.emptyFramework(body: "EU", id: "eu-revised", available: ["eu-test", "eu-revised"])
        #expect(throws: error) { try Self.eu(year: 2016, named: "eu-revised", revisionFilled: false) }
        #expect(error.description.contains("'eu-revised' lists no indicators"))
        #expect(error.description.contains("--frameworks FILE"))
        #expect(error.description.contains("answer eu-test with --framework"))
    }

    @Test func aYearBeforeEverySetIsAClearError() throws {
        var frameworks = try Self.frameworks(revisionFilled: true)
        for index in frameworks.frameworks.indices where frameworks.frameworks[index].body == .eu {
            frameworks.frameworks[index].appliesFrom = 2020
        }
        #expect(throws: ReportError.noFrameworkForYear(body: "EU", year: 2015, available: ["eu-test", "eu-revised"])) {
            try IndicatorResponse.eu(
                plan: Scenario.plan, snapshot: Scenario.snapshot, frameworks: frameworks, options: Scenario.options)
        }
    }

    /// The bundled file: the 2016 revision lists no indicators, so every EU response of the plan period answers
    /// the 2010 set, and the 2016 one says it passed the revision over.
    @Test(arguments: [2013, 2014, 2015, 2016])
    func theBundledFileAnswersThe2010SetAndSaysWhyFor2016(year: Int) throws {
        let frameworks = try IndicatorFrameworks.bundled()
        let choice = try #require(frameworks.defaultFramework(.eu, year: year))
        #expect(choice.framework.id == "eu-2010")
        #expect(choice.passedOver.map(\.id) == (year >= 2016 ? ["eu-2016"] : []))
        #expect(frameworks.defaultFramework(.un, year: year)?.framework.id == "un-2010")
    }
}
