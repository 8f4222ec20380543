import Foundation
import NAPModel
import Reports
import Testing

@Suite("Parliament report: figures worked out by hand")
struct ParliamentReportTests {
    let report = ParliamentReport(plan: Scenario.plan, snapshot: Scenario.snapshot, options: Scenario.options)

    @Test func linesPerStatusCountEachResponsibleDepartment() {
        // Given six line × department assignments, when the 2015 report is made, then:
        // done = FA 1.a, Defence 23.b; ongoing = FA 21; planned = FA 1.b; no report = Justice 1.a, Defence 21.
        let counts = Dictionary(uniqueKeysWithValues: report.summary.statuses.map { ($0.status, $0.count) })
        #expect(counts[.done] == 2)
        #expect(counts[.ongoing] == 1)
        #expect(counts[.planned] == 1)
        #expect(counts[.notApplicable] == 0)
        #expect(counts[nil] == 2)
    }

    @Test func completenessPerDepartmentAndLine() {
        let byDepartment = Dictionary(uniqueKeysWithValues: report.completeness.map { ($0.department, $0) })
        #expect(byDepartment[.foreignAffairs]?.lines.map(\.line) == ["1.a", "1.b", "21"])
        #expect(byDepartment[.foreignAffairs]?.reported == 3)
        #expect(byDepartment[.foreignAffairs]?.share == Share(tenths: 1000))
        #expect(byDepartment[.defence]?.lines.map(\.reported) == [false, true])
        #expect(byDepartment[.defence]?.share == Share(tenths: 500))
        #expect(byDepartment[.justice]?.missing == ["1.a"])
        #expect(byDepartment[.justice]?.share == Share(tenths: 0))
        // Departments without lines in the plan are not listed.
        #expect(byDepartment[.equality] == nil)
        #expect(report.completeness.map(\.department) == [.foreignAffairs, .defence, .justice])
    }

    @Test func budgetsPerCountryShowTargetsFirst() {
        let countries = report.summary.countries
        #expect(countries.map(\.code) == ["AFG", "COD", "MLI", "BEL"])
        #expect(countries[0].budgetCents == 1_234_567)
        #expect(countries[1].interventions == 0)  // the 2014 DR Congo project does not count in 2015
        #expect(countries[2].budgetCents == 500_000)
        #expect(countries[3].interventions == 2)
        #expect(countries[3].budgetCents == 525_000)
        #expect(report.summary.withoutCountry.interventions == 1)
        #expect(report.summary.interventions == 4)
        #expect(report.summary.totalBudgetCents == 1_759_567)
        #expect(report.summary.interventionsWithoutBudget == 1)
        #expect(Euro.text(cents: report.summary.totalBudgetCents) == "€17,595.67")
    }

    @Test func departmentSummaries() {
        let byDepartment = Dictionary(uniqueKeysWithValues: report.summary.departments.map { ($0.department, $0) })
        #expect(byDepartment[.foreignAffairs]?.interventions == 3)
        #expect(byDepartment[.foreignAffairs]?.budgetCents == 1_259_567)
        #expect(byDepartment[.defence]?.budgetCents == 500_000)
        #expect(byDepartment[.justice]?.responsibleLines == 1)
        #expect(byDepartment[.justice]?.interventions == 0)
    }

    @Test func countsWithSharesAndChangeSincePreviousYear() throws {
        let figures = report.figures
        #expect(
            figures.map { "\($0.department.rawValue) \($0.instrument)" } == [
                "foreign-affairs 21/2", "defence 21/2", "defence 23.b/1", "defence 23.b/2", "defence 23.b/3",
            ])
        // Foreign Affairs 21/2: 120 of 400 women (30.0%), against 100 of 400 (25.0%) in 2014.
        let diplomats = figures[0]
        #expect(diplomats.total == 400)
        #expect(diplomats.percentWomen?.description == "30.0%")
        #expect(diplomats.percentMen?.description == "70.0%")
        #expect(diplomats.previous?.totalChange == 0)
        #expect(diplomats.previous?.womenShareChangeTenths == 50)
        #expect(diplomats.previous?.change == "total ±0; women +20, men -20; share of women +5.0 points")
        // Defence 21/2: one of ten unspecified, so the shares do not add up to 100%; no 2014 figure.
        #expect(figures[1].percentWomen?.description == "20.0%")
        #expect(figures[1].percentMen?.description == "70.0%")
        #expect(figures[1].previous == nil)
        // Defence 23.b/1: 1 of 3 (33.3%) against 1 of 4 (25.0%): +8.3 points, total -1.
        #expect(figures[2].percentWomen?.description == "33.3%")
        #expect(figures[2].percentMen?.description == "66.7%")
        #expect(figures[2].previous?.totalChange == -1)
        #expect(figures[2].previous?.womenShareChangeTenths == 83)
        // A decimal number: 12.5 against 10.
        #expect(figures[3].previous?.numberChange == "+2.5")
        // Yes/no.
        #expect(figures[4].valueText == "yes")
        #expect(figures[4].previous?.change == "was no")
    }

    @Test func structureFollowsThePlanAndShowsMissingReports() throws {
        #expect(report.objectives.map(\.number) == [1, 4])
        let line1a = try #require(report.objectives.first?.goals.first?.lines.first)
        #expect(line1a.departments.map(\.department) == [.foreignAffairs, .justice])
        #expect(line1a.departments[1].status == nil)
        #expect(line1a.departments[0].interventions.map(\.id) == ["i1"])
        #expect(line1a.review == nil)  // the 2014 review does not show in 2015
        let line23b = try #require(report.objectives.last?.goals.last?.lines.first)
        #expect(line23b.review == "Good progress; check the 2016 target.")
        #expect(line23b.departments.first?.figures.count == 3)
    }

    @Test func theDataBasisFlagsOldAndMissingData() {
        let basis = report.basis
        #expect(basis.madeAt == Scenario.madeAt)
        #expect(basis.clock.map(\.node) == ["coord-1", "def-server", "fa-laptop-1"])
        #expect(basis.staleSources.map(\.owner) == ["defence", "justice"])
        let byOwner = Dictionary(uniqueKeysWithValues: basis.sources.map { ($0.owner, $0) })
        #expect(byOwner["defence"]?.ageDays == 75)
        #expect(byOwner["foreign-affairs"]?.ageDays == 4)
        #expect(byOwner["justice"]?.lastReceived == nil)
        #expect(byOwner["coordinator"]?.stale == false)
    }

    @Test func theThresholdAndTheTimeComeFromTheOptions() {
        let options = ReportOptions(year: 2015, staleAfterDays: 100, madeAt: Scenario.date("2016-01-20T09:00:00Z"))
        let basis = ParliamentReport(plan: Scenario.plan, snapshot: Scenario.snapshot, options: options).basis
        #expect(basis.staleSources.map(\.owner) == ["justice"])
        #expect(basis.sources.first { $0.owner == "defence" }?.ageDays == 80)
        #expect(basis.snapshotTakenAt == Scenario.madeAt)
    }

    @Test func conflictsAreListed() throws {
        let conflict = try #require(report.conflicts.first)
        #expect(report.conflicts.count == 1)
        #expect(conflict.owner == "Foreign Affairs")
        #expect(conflict.subject == "progress entry 2015, line 1.b")
        #expect(conflict.shown.value == "planned")
        #expect(conflict.others.map(\.value) == ["ongoing"])
    }

    @Test func renderedTextIsEscapedAndOpensWithWarnings() {
        let html = report.html()
        #expect(!html.contains("<b>annex</b>"))
        #expect(html.contains("&lt;b&gt;annex&lt;/b&gt;"))
        #expect(html.contains("<svg"))
        #expect(!html.contains("<script"))
        let markdown = report.markdown()
        #expect(markdown.contains("conventions \\| see \\<b\\>annex\\</b\\>"))
        let warning = try? #require(markdown.range(of: "Warning: data older than 30 days"))
        let summary = markdown.range(of: "## Summary")
        #expect(warning != nil && summary != nil && warning!.lowerBound < summary!.lowerBound)
        #expect(markdown.contains("Defence: last data 75 days before this report (2015-11-01)"))
        #expect(markdown.contains("Justice: no data received"))
    }

    @Test func reportsAreDeterministic() {
        let again = ParliamentReport(plan: Scenario.plan, snapshot: Scenario.snapshot, options: Scenario.options)
        #expect(again.markdown() == report.markdown())
        #expect(again.html() == report.html())
        #expect(again.figuresCSV() == report.figuresCSV())
    }
}
