import Foundation
import NAPModel
import Reports

/// A small plan and a 2015 dataset whose report figures are worked out by hand in the tests.
///
/// Plan: 1.a (Foreign Affairs, Justice), 1.b (Foreign Affairs), 21 (Foreign Affairs, Defence), 23.b (Defence):
/// six line × department assignments. In 2015 Justice did not report on 1.a and Defence did not report on 21.
enum Scenario {
    static let planJSON = """
        {
          "id": "test-plan", "title": "the Test National Action Plan 2013-2016", "firstYear": 2013, "lastYear": 2016,
          "objectives": [
            {"number": 1, "title": "International normative framework", "goals": [
              {"number": 1, "text": "Ensure that treaties protecting women's rights are taken into account.", "lines": [
                {"id": "1.a", "text": "Apply in Belgium the international conventions that protect the rights of women.",
                 "instruments": [{"id": "1.a/1", "text": "Interventions carried out."}],
                 "departments": ["foreign-affairs", "justice"], "footnotes": []},
                {"id": "1.b", "text": "Promote the rights of women at the UN & in the CSW.",
                 "instruments": [{"id": "1.b/1", "text": "CSW actions."}],
                 "departments": ["foreign-affairs"], "footnotes": []}
              ]}
            ]},
            {"number": 4, "title": "Participation of women in peacekeeping and peace-building processes", "goals": [
              {"number": 21, "text": "Ensure increased women's representation within federal administrations.", "lines": [
                {"id": "21", "text": "Conduct an active recruitment policy.",
                 "instruments": [{"id": "21/1", "text": "Actions taken to attract more women."},
                                 {"id": "21/2", "text": "Proportion of men and women amongst diplomats and soldiers."}],
                 "departments": ["foreign-affairs", "defence"], "footnotes": []}
              ]},
              {"number": 23, "text": "Ensure increased women's representation within peace missions.", "lines": [
                {"id": "23.b", "text": "Encourage applications by Belgian women for peace missions.",
                 "instruments": [{"id": "23.b/1", "text": "Changes in percentage of Belgian women in peace missions."},
                                 {"id": "23.b/2", "text": "Pre-deployment courses given."},
                                 {"id": "23.b/3", "text": "Gender adviser appointed."}],
                 "departments": ["defence"], "footnotes": []}
              ]}
            ]}
          ]
        }
        """

    static let plan: Plan = try! JSONDecoder().decode(Plan.self, from: Data(planJSON.utf8))

    static func date(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    static let madeAt = date("2016-01-15T09:00:00Z")

    static let snapshot = DatasetSnapshot(
        entries: [
            ProgressEntry(
                department: .foreignAffairs, year: 2015, line: "1.a", status: .done,
                narrative:
                    "Belgium applied the conventions | see <b>annex</b> & the CEDAW report.\n\nA second paragraph."),
            ProgressEntry(
                department: .foreignAffairs, year: 2015, line: "1.b", status: .planned, narrative: "Statement planned."),
            ProgressEntry(
                department: .foreignAffairs, year: 2015, line: "21", status: .ongoing,
                narrative: "Recruitment campaign."),
            ProgressEntry(department: .defence, year: 2015, line: "23.b", status: .done, narrative: "Courses held."),
            // Another year: must not count in 2015.
            ProgressEntry(department: .justice, year: 2014, line: "1.a", status: .done, narrative: "2014 work."),
        ],
        interventions: [
            Intervention(
                id: "i1", department: .foreignAffairs, year: 2015, line: "1.a", date: "2015-03-10", countries: ["AFG"],
                description: "Seminar on the conventions in Kabul", budgetCents: 1_234_567),
            Intervention(
                id: "i2", department: .foreignAffairs, year: 2015, line: "1.b", date: "2015-03-15", countries: [],
                description: "Statement at the CSW", budgetCents: nil),
            Intervention(
                id: "i3", department: .defence, year: 2015, line: "23.b", date: "2015-06-01",
                countries: ["MLI", "BEL"],
                description: "Training for Malian officers, \"gender\" module", budgetCents: 500_000),
            Intervention(
                id: "i4", department: .foreignAffairs, year: 2015, line: "21", date: "2015-09-20", countries: ["BEL"],
                description: "Recruitment fair", budgetCents: 25_000),
            Intervention(
                id: "i0", department: .foreignAffairs, year: 2014, line: "1.a", date: "2014-05-05", countries: ["COD"],
                description: "Earlier project", budgetCents: 999_900),
        ],
        figures: [
            Figure(
                department: .foreignAffairs, year: 2015, instrument: "21/2",
                value: .counts(women: 120, men: 280, unspecified: 0)),
            Figure(
                department: .foreignAffairs, year: 2014, instrument: "21/2",
                value: .counts(women: 100, men: 300, unspecified: 0)),
            Figure(
                department: .defence, year: 2015, instrument: "21/2", value: .counts(women: 2, men: 7, unspecified: 1)),
            Figure(
                department: .defence, year: 2015, instrument: "23.b/1", value: .counts(women: 1, men: 2, unspecified: 0)
            ),
            Figure(
                department: .defence, year: 2014, instrument: "23.b/1", value: .counts(women: 1, men: 3, unspecified: 0)
            ),
            Figure(department: .defence, year: 2015, instrument: "23.b/2", value: .number("12.5")),
            Figure(department: .defence, year: 2014, instrument: "23.b/2", value: .number("10")),
            Figure(department: .defence, year: 2015, instrument: "23.b/3", value: .yesNo(true)),
            Figure(department: .defence, year: 2014, instrument: "23.b/3", value: .yesNo(false)),
        ],
        reviews: [
            Review(year: 2015, line: "23.b", note: "Good progress; check the 2016 target."),
            Review(year: 2014, line: "1.a", note: "Old review."),
        ],
        conflicts: [
            ConflictSummary(
                record: .entry(.foreignAffairs, year: 2015, line: "1.b"), field: "status", kind: .field,
                winner: .init(value: .text("planned"), origin: "fa-laptop-1", seq: 12, time: 1_450_000_000_000),
                others: [.init(value: .text("ongoing"), origin: "fa-laptop-2", seq: 4, time: 1_449_990_000_000)])
        ],
        clock: ["coord-1": 42, "fa-laptop-1": 17, "def-server": 9],
        lastReceived: [
            "foreign-affairs": date("2016-01-10T12:00:00Z"),
            "defence": date("2015-11-01T08:00:00Z"),
            "coordinator": date("2016-01-14T16:30:00Z"),
        ],
        takenAt: madeAt)

    static let options = ReportOptions(year: 2015)

    /// EU-T1 counts (21/2 and 23.b/1), EU-T2 yes/no and number (23.b/3, 23.b/2), EU-T3 unmapped; UN-T1 in
    /// participation (21/2) and UN-T2 in protection (1.a/1).
    static let frameworksJSON = """
        {
          "formatVersion": 1,
          "frameworks": [
            {"id": "eu-test", "body": "EU", "title": "Test EU indicators", "source": "Test source, doc. 1/10",
             "indicators": [
               {"code": "EU-T1", "wording": "Number and percentage of women among staff", "wordingChecked": true},
               {"code": "EU-T2", "wording": "Gender advisers and courses", "wordingChecked": false,
                "wordingNote": "Written from memory."},
               {"code": "EU-T3", "wording": "An indicator nothing maps to", "wordingChecked": true}
             ]},
            {"id": "un-test", "body": "UN", "title": "Test UN indicators", "source": "S/0000/000",
             "pillars": [{"id": "prevention", "title": "Prevention"}, {"id": "participation", "title": "Participation"},
                         {"id": "protection", "title": "Protection"}, {"id": "relief-and-recovery", "title": "Relief and recovery"}],
             "indicators": [
               {"code": "UN-T1", "pillar": "participation", "wording": "Women in the security sector", "wordingChecked": false,
                "wordingNote": "Written from memory."},
               {"code": "UN-T2", "pillar": "protection", "wording": "Laws in line with standards", "wordingChecked": true}
             ]}
          ],
          "mappings": [
            {"instrument": "21/2", "indicators": ["EU-T1", "UN-T1"]},
            {"instrument": "23.b/1", "indicators": ["EU-T1"]},
            {"instrument": "23.b/3", "indicators": ["EU-T2"]},
            {"instrument": "23.b/2", "indicators": ["EU-T2"]},
            {"instrument": "1.a/1", "indicators": ["UN-T2"]}
          ]
        }
        """

    static func frameworks() throws -> IndicatorFrameworks {
        try IndicatorFrameworks.load(from: writeTemporary(frameworksJSON), plan: plan)
    }

    /// Writes text to a fresh temporary file and returns its URL.
    static func writeTemporary(_ text: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("napsync-reports-\(UUID().uuidString).json")
        try! Data(text.utf8).write(to: url)
        return url
    }
}
