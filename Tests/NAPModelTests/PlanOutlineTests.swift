import Foundation
import NAPModel
import Testing

/// The renderings `napsync plan` prints.
@Suite("Plan outline and detail")
struct PlanOutlineTests {
    let plan = Plan.bundled

    @Test func outlineShowsEveryObjectiveGoalAndLineWithItsDepartments() {
        let outline = plan.outline()
        let rows = outline.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(rows.first == "Women, Peace and Security: Belgian National Action Plan 2013-2016")
        #expect(outline.contains("6 objectives, 37 goals, 102 lines of action"))
        for objective in plan.objectives {
            #expect(rows.contains { $0.hasPrefix("Objective \(objective.number). ") })
            for goal in objective.goals {
                #expect(rows.contains { $0.hasPrefix("  Goal \(goal.number). ") })
            }
        }
        for line in plan.lines {
            #expect(rows.contains { $0.hasPrefix("    \(line.id) ") }, "line \(line.id)")
        }
        #expect(rows.contains("    23.b * Encourage women in the federal police to apply for civilian crisis management missions."))
        #expect(rows.contains("           [federal-police]"))
        #expect(rows.contains("           [equality (coordination), foreign-affairs, development, defence, interior, justice]"))
    }

    @Test(arguments: [100, 60])
    func outlineFitsTheWidth(_ width: Int) {
        for row in plan.outline(width: width).split(separator: "\n") where row.contains(" ") {
            #expect(row.count <= width, "\(row)")
        }
    }

    @Test func detailShowsGoalTextInstrumentsDepartmentsFootnotesAndNote() throws {
        let detail = try plan.detail(of: "23.b")
        #expect(detail.hasPrefix("Line 23.b  Encourage women in the federal police"))
        #expect(detail.contains("Objective 4.  Participation of women in peacekeeping and peace-building processes"))
        #expect(detail.contains("Goal 23.      Ensure increased women's representation within peace missions"))
        #expect(detail.contains("  23.b/1  Actions of encouragement."))
        #expect(detail.contains("  23.b/2  Proportion of men and women amongst personnel participating in EU civilian"))
        #expect(detail.contains("  federal-police  Federal Police"))
        #expect(detail.contains("Footnotes\n  1. The presence of more women within federal administrations"))
        #expect(detail.contains("Alignment note (check against the printed plan)"))
    }

    @Test func detailOfAClearLineHasNoNoteAndMarksTheCoordinator() throws {
        let detail = try plan.detail(of: "33")
        #expect(!detail.contains("Alignment note"))
        #expect(!detail.contains("Footnotes"))
        #expect(detail.contains("  equality         Equality (coordination)"))
    }

    @Test func detailOfAnUnknownLineIsRefused() {
        #expect(throws: ModelError.unknownLine("38")) { try plan.detail(of: "38") }
    }

    @Test(arguments: [("23.b", "23.b"), (" 23.B ", "23.b"), ("9.", "9"), ("4.b.", "4.b"), ("37", "37")])
    func resolvesWhatAPersonTypes(_ typed: String, _ id: String) throws {
        #expect(try plan.resolveLine(typed).id == id)
    }

    @Test(arguments: ["", ".", "23", "23.e", "a.1", "1..a"])
    func refusesWhatIsNotALine(_ typed: String) {
        #expect(throws: ModelError.unknownLine(typed)) { try plan.resolveLine(typed) }
    }

    @Test func suggestsTheLinesOfAGoal() {
        #expect(plan.lineSuggestions(for: "23") == ["23.a", "23.b", "23.c", "23.d"])
        #expect(plan.lineSuggestions(for: "23.e") == ["23.a", "23.b", "23.c", "23.d"])
        #expect(plan.lineSuggestions(for: "99").isEmpty)
        #expect(plan.lineSuggestions(for: "x").isEmpty)
    }

    @Test func jsonOfALineHasSortedKeysAndDecodesToTheLine() throws {
        let json = try plan.jsonText(line: "23.b")
        let decoded = try JSONDecoder().decode(LineOfAction.self, from: Data(json.utf8))
        #expect(decoded == plan.line("23.b"))
        let keys = ["\"alignmentNote\"", "\"departments\"", "\"footnotes\"", "\"id\"", "\"instruments\"", "\"text\""]
        let offsets = keys.compactMap { json.range(of: $0)?.lowerBound }
        #expect(offsets.count == keys.count)
        #expect(offsets == offsets.sorted())
        #expect(throws: ModelError.unknownLine("nope")) { try plan.jsonText(line: "nope") }
    }

    @Test func jsonOfThePlanDecodesToThePlan() throws {
        let json = try plan.jsonText()
        #expect(try JSONDecoder().decode(Plan.self, from: Data(json.utf8)) == plan)
        #expect(json.hasPrefix("{\n  \"firstYear\" : 2013,"))
    }
}
