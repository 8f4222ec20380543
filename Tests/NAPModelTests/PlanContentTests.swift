import NAPModel
import Testing

/// Lines checked against the text of the printed plan.
@Suite("Plan content")
struct PlanContentTests {
    let plan = Plan.bundled

    struct Expected: Sendable, CustomTestStringConvertible {
        var id: String
        var goal: Int
        var text: String
        var instruments: [String]
        var departments: [Department]
        var testDescription: String { id }
    }

    static let printed: [Expected] = [
        Expected(
            id: "1.a", goal: 1, text: "Apply in Belgium the international conventions that protect the rights of women.",
            instruments: ["Periodic reporting under CEDAW.", "Responses to relevant questionnaires from the UN."],
            departments: [.foreignAffairs, .development, .defence, .interior, .justice, .equality]),
        Expected(
            id: "1.b", goal: 1,
            text: "Continue to actively work within the context of the General Assembly, the CSW and the Human Rights "
                + "Council to promote the rights of women, particularly in (post-)conflict countries.",
            instruments: ["CSW actions.", "Human Rights Council actions."], departments: [.foreignAffairs, .equality]),
        Expected(
            id: "9", goal: 9,
            text: "Advocate for the integration of the gender perspective into the agenda and into relevant reports "
                + "and resolutions of international organisations.",
            instruments: ["Interventions carried out."], departments: [.foreignAffairs]),
        Expected(
            id: "13.a", goal: 13, text: "Give consideration to the specific needs of women during applications for asylum.",
            instruments: [
                "Number and percentage of men and women applying for asylum who have received the status of refugee "
                    + "or have benefitted from subsidiary protection.",
                "Guidelines.", "Exchange of information.",
            ],
            departments: [.cgrs, .officeForForeigners]),
        Expected(
            id: "16.a", goal: 16, text: "Prosecute those responsible for sexual violence within the defence forces.",
            instruments: [
                "Ratio of number of complaints versus number of prosecutions.",
                "Ratio of number of prosecutions versus number of convictions.",
            ],
            departments: [.defence]),
        Expected(
            id: "20.b", goal: 20, text: "Provide aid and assistance to victims of human trafficking in Belgium.",
            instruments: [
                "Instruments of aid and assistance.",
                "Number of victims of human trafficking who have obtained a residence permit.",
                "Number of victims of human trafficking protected.",
            ],
            departments: [.officeForForeigners, .justice]),
        Expected(
            id: "21", goal: 21,
            text: "Conduct an active recruitment policy and analyse trends in the recruitment of women and adapt "
                + "actions based on this analysis.",
            instruments: [
                "Actions taken in relation to recruitment to attract more women.",
                "Proportion of men and women amongst diplomats, consuls, cooperation attachés, soldiers and integrated police.",
            ],
            departments: [.foreignAffairs, .development, .defence, .federalPolice]),
        Expected(
            id: "23.b", goal: 23,
            text: "Encourage women in the federal police to apply for civilian crisis management missions.",
            instruments: [
                "Actions of encouragement.",
                "Proportion of men and women amongst personnel participating in EU civilian crisis management missions.",
            ],
            departments: [.federalPolice]),
        Expected(
            id: "26.a", goal: 26, text: "Develop a Belgian NAP for application of resolution 1325.",
            instruments: ["NAP adopted."],
            departments: [.foreignAffairs, .development, .defence, .interior, .justice, .equality]),
        Expected(
            id: "37", goal: 37, text: "Respond to requests for input from the Secretariat of the UN concerning resolution 1325.",
            instruments: ["Information provided."], departments: [.foreignAffairs]),
    ]

    @Test(arguments: printed)
    func lineMatchesThePrintedPlan(_ expected: Expected) throws {
        let line = try #require(plan.line(expected.id))
        #expect(line.text == expected.text)
        #expect(line.instruments.map(\.text) == expected.instruments)
        #expect(line.departments == expected.departments)
        #expect(plan.location(of: expected.id)?.goal.number == expected.goal)
    }

    @Test func objectiveTitlesAreThePlans() {
        #expect(plan.objectives.map(\.title) == [
            "International normative framework",
            "Integrating of the gender perspective by Belgium within the context of resolution 1325",
            "Protection of women and girls from all forms of violence, including sexual violence",
            "Participation of women in peacekeeping and peace-building processes",
            "Support for the implementation of resolution 1325 and the national action plan",
            "Follow-up, reporting and monitoring",
        ])
    }

    @Test func goalsSitUnderThePrintedObjective() {
        let firstGoals = plan.objectives.map { $0.goals.first?.number }
        #expect(firstGoals == [1, 5, 14, 21, 26, 33])
        #expect(plan.location(of: "37")?.goal.text == "Inform the UN.")
        #expect(plan.location(of: "23.b")?.goal.text
            == "Ensure increased women's representation within peace missions and civilian crisis management missions.")
    }

    @Test func footnotesQualifyTheirLines() throws {
        let conventions = try #require(plan.line("1.a")).footnotes
        #expect(conventions.count == 1)
        #expect(conventions[0].hasPrefix("Amongst others, the Convention on the Elimination of All Forms of Discrimination"))
        // Footnote 3 of 1.c reads "Idem": it repeats footnote 2.
        #expect(try #require(plan.line("1.c")).footnotes == conventions)
        #expect(try #require(plan.line("6.a")).footnotes == [
            "Within the Federal Police, the theme of gender will be mainstreamed across all modules of new training courses."
        ])
        // Line 21 carries the goal's footnote 8 and its own footnotes 9 (Defence) and 10 (Federal Police).
        let recruitment = try #require(plan.line("21")).footnotes
        #expect(recruitment.count == 3)
        #expect(recruitment[1].hasPrefix("Nevertheless, the Department of Defence does not wish"))
        #expect(try #require(plan.line("37")).footnotes.isEmpty)
    }

    @Test func reportingLinesNameTheirCoordinator() throws {
        #expect(try #require(plan.line("33")).coordinator == .equality)
        #expect(try #require(plan.line("34")).coordinator == .foreignAffairs)
        #expect(try #require(plan.line("35")).coordinator == nil)
    }

    @Test func departmentsFindTheirLines() {
        #expect(plan.lines(for: .fedasil).map(\.id) == ["13.b"])
        #expect(plan.lines(for: .officeForForeigners).map(\.id) == ["13.a", "20.b"])
        #expect(plan.lines(for: .federalPolice).map(\.id) == ["6.a", "6.b", "6.c", "21", "23.b", "23.c", "25.a"])
    }

    @Test func instrumentsAreFoundByID() {
        #expect(plan.instrument("23.b/2")?.text
            == "Proportion of men and women amongst personnel participating in EU civilian crisis management missions.")
        #expect(plan.instrument("37/1")?.text == "Information provided.")
        #expect(plan.instrument("23.b/3") == nil)
        #expect(plan.instrument("23.b") == nil)
    }

    @Test func uncertainAlignmentsCarryANoteAndClearOnesDoNot() throws {
        #expect(try #require(plan.line("2.a")).alignmentNote?.contains("Development") == true)
        #expect(try #require(plan.line("1.a")).alignmentNote == nil)
        #expect(try #require(plan.line("37")).alignmentNote == nil)
    }
}
