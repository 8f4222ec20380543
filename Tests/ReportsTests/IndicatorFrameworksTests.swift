import Foundation
import NAPModel
import Reports
import Testing

@Suite("Indicator frameworks file: loading and the errors a coordinator sees")
struct IndicatorFrameworksTests {
    private func problems(_ json: String, plan: Plan? = Scenario.plan) -> String {
        let url = Scenario.writeTemporary(json)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            if let plan {
                _ = try IndicatorFrameworks.load(from: url, plan: plan)
            } else {
                _ = try IndicatorFrameworks.load(from: url)
            }
            return ""
        } catch {
            return error.description
        }
    }

    private func replacing(_ old: String, with new: String) -> String {
        precondition(Scenario.frameworksJSON.contains(old))
        return Scenario.frameworksJSON.replacingOccurrences(of: old, with: new)
    }

    @Test func theScenarioFileLoads() throws {
        let frameworks = try Scenario.frameworks()
        #expect(frameworks.frameworks.map(\.id) == ["eu-test", "un-test"])
        #expect(frameworks.instruments(for: "EU-T1") == ["21/2", "23.b/1"])
    }

    @Test func aMissingWordingNamesTheIndicator() {
        let text = problems(replacing(#""wording": "Gender advisers and courses","#, with: ""))
        #expect(text.contains("indicator EU-T2: missing wording"))
    }

    @Test func aBlankWordingIsMissing() {
        let text = problems(replacing(#""wording": "Gender advisers and courses""#, with: #""wording": "  ""#))
        #expect(text.contains("indicator EU-T2: missing wording"))
    }

    @Test func anUnknownInstrumentNamesTheMapping() {
        let text = problems(replacing(#"{"instrument": "23.b/2","#, with: #"{"instrument": "23.b/9","#))
        #expect(text.contains("mapping 23.b/9: unknown instrument"))
    }

    @Test func anUnknownIndicatorCodeNamesTheMappingAndTheCode() {
        let text = problems(replacing(#"["EU-T1", "UN-T1"]"#, with: #"["EU-T1", "EU-99"]"#))
        #expect(text.contains("mapping 21/2: unknown indicator code EU-99"))
    }

    @Test func aDuplicateCodeIsRefused() {
        let text = problems(replacing(#""code": "EU-T3""#, with: #""code": "EU-T1""#))
        #expect(text.contains("indicator EU-T1: code used twice"))
    }

    @Test func anUnknownPillarIsRefused() {
        let text = problems(replacing(#""pillar": "protection""#, with: #""pillar": "security""#))
        #expect(text.contains("indicator UN-T2: unknown pillar 'security'"))
    }

    @Test func theWordingCheckFlagIsRequired() {
        let text = problems(
            replacing(
                #""wording": "An indicator nothing maps to", "wordingChecked": true"#,
                with: #""wording": "An indicator nothing maps to""#))
        #expect(text.contains("indicator EU-T3: wordingChecked must be true or false"))
    }

    @Test func everyProblemIsReportedAtOnce() {
        let json = replacing(#""wording": "Gender advisers and courses","#, with: "")
            .replacingOccurrences(of: #"["EU-T1", "UN-T1"]"#, with: #"["EU-T1", "EU-99"]"#)
        let text = problems(json, plan: nil)
        #expect(text.contains("indicator EU-T2: missing wording"))
        #expect(text.contains("mapping 21/2: unknown indicator code EU-99"))
        #expect(text.contains("23.b/3: unknown indicator code EU-T2"))  // EU-T2 was refused, so it is unknown
    }

    @Test func notJSONAtAll() {
        #expect(problems("{ frameworks: ").contains("is not valid JSON"))
    }

    @Test func anUnreadableFileNamesThePath() {
        let url = URL(fileURLWithPath: "/nonexistent/frameworks.json")
        #expect(throws: FrameworkError.self) { try IndicatorFrameworks.load(from: url) }
        do {
            _ = try IndicatorFrameworks.load(from: url)
        } catch {
            #expect(error.description.contains("/nonexistent/frameworks.json"))
            #expect(error.description.contains("cannot be read"))
        }
    }

    @Test func aWrongFormatVersionIsRefused() {
        #expect(
            problems(replacing(#""formatVersion": 1"#, with: #""formatVersion": 2"#)).contains(
                "formatVersion must be 1"))
    }

    @Test func anUnknownFrameworkIdIsAClearError() throws {
        let options = ReportOptions(year: 2015, euFramework: "eu-1999")
        #expect(throws: ReportError.self) {
            try IndicatorResponse.eu(
                plan: Scenario.plan, snapshot: Scenario.snapshot, frameworks: Scenario.frameworks(), options: options)
        }
    }

    @Test func appliesFromMustBeAYear() {
        let text = problems(
            replacing(
                #""source": "Test source, doc. 1/10","#,
                with: #""source": "Test source, doc. 1/10", "appliesFrom": "2016","#))
        #expect(text.contains("framework eu-test: appliesFrom must be a year"))
    }

    @Test func theBundledFileLoadsAndFlagsEveryUncheckedWording() throws {
        let frameworks = try IndicatorFrameworks.bundled()
        let eu = try #require(frameworks.framework(.eu, id: "eu-2010"))
        #expect(eu.indicators.count == 17)
        let un = try #require(frameworks.framework(.un))
        #expect(un.indicators.count == 26)
        #expect(un.pillars.map(\.title) == ["Prevention", "Participation", "Protection", "Relief and recovery"])
        // Every wording in the bundled file was written from memory: none may claim to be checked.
        for indicator in frameworks.frameworks.flatMap(\.indicators) {
            #expect(!indicator.wordingChecked, "\(indicator.code) claims a checked wording")
            #expect(indicator.wordingNote != nil)
        }
    }

    @Test func theBundledMappingMatchesTheBundledPlan() throws {
        let frameworks = try IndicatorFrameworks.bundled()
        // While the bundled plan is the empty placeholder there is nothing to check the mapping against.
        guard !Plan.bundled.lines.isEmpty else { return }
        try frameworks.validate(against: Plan.bundled, file: "the bundled frameworks.json")
        #expect(frameworks.mappings.count >= 50)
    }
}
