import Foundation
import NAPModel
import Testing

/// Invariants of the bundled plan that every release of `plan.json` must keep.
@Suite("Plan structure")
struct PlanStructureTests {
    let plan = Plan.bundled

    @Test func identifiesThePlanAndItsYears() {
        #expect(plan.id == "be-nap-1325-2013-2016")
        #expect(plan.firstYear == 2013)
        #expect(plan.lastYear == 2016)
        #expect(plan.title.contains("2013-2016"))
    }

    @Test func hasSixObjectivesNumberedInOrder() {
        #expect(plan.objectives.map(\.number) == [1, 2, 3, 4, 5, 6])
        #expect(plan.objectives.allSatisfy { !$0.title.isEmpty && !$0.goals.isEmpty })
    }

    @Test func goalNumbersIncreaseWithoutGapsOrRepeats() {
        let numbers = plan.objectives.flatMap(\.goals).map(\.number)
        #expect(numbers == Array(1...37))
    }

    @Test func everyGoalBelongsToExactlyOneObjectiveAndHasLines() {
        for goal in plan.objectives.flatMap(\.goals) {
            let owners = plan.objectives.filter { $0.goals.contains(goal) }
            #expect(owners.count == 1, "goal \(goal.number)")
            #expect(!goal.lines.isEmpty, "goal \(goal.number) has no line")
            #expect(!goal.text.isEmpty)
        }
    }

    @Test func lineIDsAreUnique() {
        let ids = plan.lines.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.count == 102)
    }

    /// A goal with one line uses the goal number (`9`); otherwise its lines are `N.a`, `N.b`, ... in order.
    @Test func lineIDsFollowTheirGoalNumber() {
        for goal in plan.objectives.flatMap(\.goals) {
            let ids = goal.lines.map(\.id)
            if ids.count == 1 && ids[0] == String(goal.number) { continue }
            let letters = "abcdefghijklmnopqrstuvwxyz".prefix(ids.count).map { "\(goal.number).\($0)" }
            #expect(ids == letters, "goal \(goal.number)")
        }
    }

    @Test func instrumentIDsAreLineSlashOneBasedIndexAndUnique() {
        var seen = Set<String>()
        for line in plan.lines {
            for (index, instrument) in line.instruments.enumerated() {
                #expect(instrument.id == "\(line.id)/\(index + 1)")
                #expect(seen.insert(instrument.id).inserted, "duplicate \(instrument.id)")
                #expect(plan.instrument(instrument.id) == instrument)
            }
        }
        #expect(seen.count == 125)
    }

    @Test func everyLineHasAnInstrumentAndADepartment() {
        for line in plan.lines {
            #expect(!line.instruments.isEmpty, "line \(line.id) has no instrument")
            #expect(!line.departments.isEmpty, "line \(line.id) has no department")
            #expect(Set(line.departments).count == line.departments.count, "line \(line.id) repeats a department")
        }
    }

    @Test func everyLineIsLocatedInItsGoal() throws {
        for line in plan.lines {
            let location = try #require(plan.location(of: line.id))
            #expect(location.goal.lines.contains(line))
            #expect(location.objective.goals.contains(location.goal))
        }
        #expect(plan.location(of: "99.z") == nil)
    }

    @Test func textsAreCleanSingleSpacedSentences() {
        var texts = plan.objectives.map(\.title) + plan.objectives.flatMap(\.goals).map(\.text)
        texts += plan.lines.flatMap { [$0.text] + $0.instruments.map(\.text) + $0.footnotes }
        for text in texts {
            #expect(text == text.trimmingCharacters(in: .whitespacesAndNewlines), "\(text)")
            #expect(!text.contains("  ") && !text.contains("\n"), "\(text)")
        }
    }

    @Test func aCoordinatorIsOneOfTheLinesDepartments() {
        for line in plan.lines {
            if let coordinator = line.coordinator { #expect(line.departments.contains(coordinator)) }
        }
    }

    @Test func everyDepartmentIsResponsibleForSomeLine() {
        for department in Department.allCases {
            #expect(!plan.lines(for: department).isEmpty, "\(department) has no line")
        }
    }

    @Test func decodesWhatItEncodes() throws {
        let data = try JSONEncoder().encode(plan)
        #expect(try JSONDecoder().decode(Plan.self, from: data) == plan)
        #expect(try Plan.loadBundled() == plan)
    }
}
