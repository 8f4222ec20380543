import NAPModel

/// ILLUSTRATIVE SAMPLE DATA for `napsync demo`: invented, plausible figures, budgets and narratives on lines the
/// plan gives each department, for 2014 and 2015. Every narrative and description says it is illustrative, so
/// nothing from a demo can be mistaken for a department's real reporting. Fixed values, no randomness: every run
/// records the same thing (only node ids and timestamps differ).
public enum DemoSampleData {
    /// What one node records offline.
    public struct Records: Sendable {
        public var entries: [ProgressEntry] = []
        public var interventions: [Intervention] = []
        public var figures: [Figure] = []

        public var count: Int { entries.count + interventions.count + figures.count }
        /// The countries the interventions name, in first-seen order.
        public var countries: [String] {
            var seen: [String] = []
            for code in interventions.flatMap(\.countries) where !seen.contains(code) { seen.append(code) }
            return seen
        }
    }

    /// The year of the report to parliament and of the concurrent edit.
    public static let reportYear = 2015

    /// The entry both Defence nodes change concurrently, and the statuses they choose.
    public static let contestedLine = "10.c"
    public static let contestedEntry = RecordKey.entry(.defence, year: reportYear, line: contestedLine)
    public static let contestedStatuses: (first: ProgressStatus, second: ProgressStatus) = (.done, .ongoing)

    /// The coordinator's own review note (the coordinator records only reviews).
    public static let review = Review(
        year: 2015, line: "6.c",
        note: "Illustrative review (demo): training figures checked with Defence; the 2015 module is mandatory.")

    /// A department node of the demo and what it records.
    public struct Node: Sendable {
        /// The node's directory name and label in the output, e.g. `defence-2`.
        public var name: String
        /// Who runs it, in words.
        public var title: String
        public var department: Department
        public var records: Records
    }

    /// The department nodes, in the order they sync. Two Defence nodes write for the same department.
    public static let nodes: [Node] = [
        Node(name: "defence", title: "Defence, headquarters", department: .defence, records: defence),
        Node(name: "development", title: "Development Cooperation", department: .development, records: development),
        Node(name: "foreign-affairs", title: "Foreign Affairs", department: .foreignAffairs, records: foreignAffairs),
        Node(name: "justice", title: "Justice", department: .justice, records: justice),
        Node(name: "defence-2", title: "Defence, operations staff", department: .defence, records: defenceOperations),
    ]

    static let label = "Illustrative sample data (napsync demo)."

    /// Defence headquarters: pre-deployment training, gender advisers, SSR, recruitment.
    static let defence: Records = {
        var r = Records()
        r.entries = [
            entry(
                .defence, 2014, "6.c", .ongoing,
                "A half-day gender module was added to pre-deployment training for units rotating to Mali and DR Congo."
            ),
            entry(.defence, 2014, "7.b", .planned, "Selection criteria for gender advisers on missions drafted."),
            entry(.defence, 2015, "6.c", .done, "The gender module is now mandatory for every rotation."),
            entry(
                .defence, 2015, "7.b", .ongoing,
                "Two gender advisers deployed, one with the military partnership in DR Congo."),
            entry(
                .defence, 2015, "10.c", .planned,
                "The gender perspective is to be written into the next SSR programme with the Congolese armed forces."),
            entry(.defence, 2015, "21", .ongoing, "Recruitment campaign aimed at women; trends analysed yearly."),
        ]
        r.interventions = [
            intervention(
                "demo-defence-2014-01", .defence, 2014, "6.c", "2014-03-18", ["MLI"],
                "gender module in pre-deployment training for the EUTM Mali contingent", euros: 18_000),
            intervention(
                "demo-defence-2015-01", .defence, 2015, "6.c", "2015-02-10", ["MLI"],
                "pre-deployment gender training, EUTM Mali rotation", euros: 22_500),
            intervention(
                "demo-defence-2015-02", .defence, 2015, "7.b", "2015-06-01", ["COD"],
                "gender adviser seconded to the military partnership programme in Kindu", euros: 40_000),
        ]
        r.figures = [
            counts(.defence, 2014, "6.c/1", women: 11, men: 164),
            counts(.defence, 2014, "7.b/1", women: 2, men: 3),
            counts(.defence, 2015, "6.c/1", women: 19, men: 201),
            counts(.defence, 2015, "7.b/1", women: 4, men: 3),
            counts(.defence, 2015, "21/2", women: 2_480, men: 27_120),
        ]
        return r
    }()

    /// A second Defence node (operations staff): deployments and protection in operations.
    static let defenceOperations: Records = {
        var r = Records()
        r.entries = [
            entry(
                .defence, 2014, "23.a", .ongoing,
                "Share of women among deployed personnel tracked per rotation (operations staff)."),
            entry(
                .defence, 2015, "23.a", .ongoing,
                "Share of women among deployed personnel tracked per rotation (operations staff)."),
            entry(
                .defence, 2015, "19.a", .ongoing, "Protection of women and girls included in force protection training."
            ),
        ]
        r.interventions = [
            intervention(
                "demo-defence-ops-2015-01", .defence, 2015, "19.a", "2015-09-14", ["AFG"],
                "protection of women and girls in force protection training, Resolute Support, Mazar-e-Sharif",
                euros: 12_000)
        ]
        r.figures = [
            counts(.defence, 2014, "23.a/1", women: 29, men: 388),
            counts(.defence, 2015, "23.a/1", women: 37, men: 421),
        ]
        return r
    }()

    /// Development Cooperation: gender equality in fragile countries, protection programmes, experts.
    static let development: Records = {
        var r = Records()
        r.entries = [
            entry(.development, 2014, "4.a", .ongoing, "Gender equality is a priority of the programmes in DR Congo."),
            entry(
                .development, 2015, "4.a", .ongoing,
                "Gender equality is a priority of the programmes in DR Congo and Mali."),
            entry(
                .development, 2015, "18.e", .done,
                "Support to an international programme protecting women against sexual violence."),
            entry(
                .development, 2015, "7.a", .done, "Gender focal points trained at headquarters and in the embassies."),
        ]
        r.interventions = [
            intervention(
                "demo-development-2014-01", .development, 2014, "4.a", "2014-04-07", ["COD"],
                "support to women's organisations in South Kivu", euros: 350_000),
            intervention(
                "demo-development-2015-01", .development, 2015, "4.a", "2015-03-02", ["COD"],
                "women's access to land and credit, Kasai", euros: 420_000),
            intervention(
                "demo-development-2015-02", .development, 2015, "4.a", "2015-05-20", ["MLI"],
                "women's economic participation in the Mopti region", euros: 180_000),
            intervention(
                "demo-development-2015-03", .development, 2015, "18.e", "2015-10-05", ["AFG"],
                "contribution to a UN Women programme against violence towards women", euros: 250_000),
        ]
        r.figures = [
            number(.development, 2014, "4.a/2", "9"),
            number(.development, 2015, "4.a/2", "12"),
            counts(.development, 2015, "7.a/1", women: 7, men: 3),
        ]
        return r
    }()

    /// Foreign Affairs: mediation, diplomats, démarches, answers to the UN.
    static let foreignAffairs: Records = {
        var r = Records()
        r.entries = [
            entry(
                .foreignAffairs, 2014, "24.b", .ongoing,
                "The need for female mediators raised in peace processes Belgium supports."),
            entry(
                .foreignAffairs, 2015, "24.b", .ongoing,
                "Support for women's participation in the follow-up to the Mali peace agreement."),
            entry(.foreignAffairs, 2015, "21", .ongoing, "Recruitment trends among diplomats and consuls analysed."),
            entry(
                .foreignAffairs, 2015, "29.a", .done, "Démarches on resolution 1325 made in the three target countries."
            ),
            entry(
                .foreignAffairs, 2015, "37", .done,
                "Belgium's input to the UN Secretary-General's annual report was sent."),
        ]
        r.interventions = [
            intervention(
                "demo-foreign-affairs-2015-01", .foreignAffairs, 2015, "24.b", "2015-04-22", ["MLI"],
                "support for women's participation in the follow-up to the Algiers peace agreement", euros: 60_000),
            intervention(
                "demo-foreign-affairs-2015-02", .foreignAffairs, 2015, "29.a", "2015-11-12", ["AFG", "COD", "MLI"],
                "démarches on resolution 1325 in the target countries", euros: nil),
        ]
        r.figures = [
            counts(.foreignAffairs, 2014, "24.b/1", women: 3, men: 12),
            counts(.foreignAffairs, 2015, "24.b/1", women: 5, men: 11),
            counts(.foreignAffairs, 2015, "21/2", women: 415, men: 802),
        ]
        return r
    }()

    /// Justice: the ICC Trust Fund for Victims, legal trainers, experts for missions.
    static let justice: Records = {
        var r = Records()
        r.entries = [
            entry(.justice, 2014, "3.a", .done, "Yearly contribution to the ICC Trust Fund for Victims paid."),
            entry(.justice, 2015, "3.a", .done, "Yearly contribution to the ICC Trust Fund for Victims paid."),
            entry(
                .justice, 2015, "14.c", .ongoing,
                "Magistrates invited to train as trainers on violence against women."),
            entry(.justice, 2015, "7.b", .planned, "A pool of legal experts for missions is being set up."),
        ]
        r.interventions = [
            intervention(
                "demo-justice-2014-01", .justice, 2014, "3.a", "2014-06-30", ["COD"],
                "contribution to the ICC Trust Fund for Victims (programmes in DR Congo)", euros: 100_000),
            intervention(
                "demo-justice-2015-01", .justice, 2015, "3.a", "2015-07-01", ["COD"],
                "contribution to the ICC Trust Fund for Victims (programmes in DR Congo)", euros: 100_000),
        ]
        r.figures = [
            number(.justice, 2015, "14.c/1", "2"),
            counts(.justice, 2015, "7.b/1", women: 2, men: 1),
        ]
        return r
    }()

    // MARK: Builders

    private static func entry(
        _ department: Department, _ year: Int, _ line: String, _ status: ProgressStatus, _ text: String
    ) -> ProgressEntry {
        ProgressEntry(department: department, year: year, line: line, status: status, narrative: "\(label) \(text)")
    }

    private static func intervention(
        _ id: String, _ department: Department, _ year: Int, _ line: String, _ date: String, _ countries: [String],
        _ text: String, euros: Int64?
    ) -> Intervention {
        Intervention(
            id: id, department: department, year: year, line: line, date: date, countries: countries,
            description: "Illustrative: \(text)", budgetCents: euros.map { $0 * 100 })
    }

    private static func counts(_ department: Department, _ year: Int, _ instrument: String, women: Int64, men: Int64)
        -> Figure
    {
        Figure(
            department: department, year: year, instrument: instrument,
            value: .counts(women: women, men: men, unspecified: 0))
    }

    private static func number(_ department: Department, _ year: Int, _ instrument: String, _ value: String) -> Figure {
        Figure(department: department, year: year, instrument: instrument, value: .number(value))
    }
}
