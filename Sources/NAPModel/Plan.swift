import Foundation

/// The National Action Plan as data: objectives, numbered goals, lines of action and their monitoring
/// instruments. Loaded from the `plan.json` resource that ships with the program.
public struct Plan: Sendable, Codable, Equatable {
    /// Stable identifier of the plan; change sets carry it so that data of another plan is refused.
    public var id: String
    public var title: String
    public var firstYear: Int
    public var lastYear: Int
    public var objectives: [Objective] { didSet { lineIndex = Self.index(objectives) } }
    /// Lines by id, kept in step with `objectives`: every validation looks lines up.
    private var lineIndex: [String: LineOfAction] = [:]

    public init(id: String, title: String, firstYear: Int, lastYear: Int, objectives: [Objective]) {
        self.id = id
        self.title = title
        self.firstYear = firstYear
        self.lastYear = lastYear
        self.objectives = objectives
        self.lineIndex = Self.index(objectives)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try container.decode(String.self, forKey: .id), title: try container.decode(String.self, forKey: .title),
            firstYear: try container.decode(Int.self, forKey: .firstYear), lastYear: try container.decode(Int.self, forKey: .lastYear),
            objectives: try container.decode([Objective].self, forKey: .objectives))
    }

    /// Every line of action in plan order.
    public var lines: [LineOfAction] { objectives.flatMap { $0.goals.flatMap(\.lines) } }

    public func line(_ id: String) -> LineOfAction? { lineIndex[id] }

    public func instrument(_ id: String) -> MonitoringInstrument? {
        guard let slash = id.firstIndex(of: "/") else { return nil }
        return line(String(id[..<slash]))?.instruments.first { $0.id == id }
    }

    /// The lines a department is responsible for, in plan order.
    public func lines(for department: Department) -> [LineOfAction] {
        lines.filter { $0.departments.contains(department) }
    }

    /// The goal and objective a line belongs to.
    public func location(of lineID: String) -> (objective: Objective, goal: Goal)? {
        for objective in objectives {
            for goal in objective.goals where goal.lines.contains(where: { $0.id == lineID }) {
                return (objective, goal)
            }
        }
        return nil
    }

    private static func index(_ objectives: [Objective]) -> [String: LineOfAction] {
        Dictionary(objectives.flatMap { $0.goals.flatMap(\.lines) }.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private enum CodingKeys: String, CodingKey {
        case id, title, firstYear, lastYear, objectives
    }
}

public struct Objective: Sendable, Codable, Equatable {
    public var number: Int
    public var title: String
    public var goals: [Goal]
}

public struct Goal: Sendable, Codable, Equatable {
    public var number: Int
    public var text: String
    public var lines: [LineOfAction]
}

public struct LineOfAction: Sendable, Codable, Equatable {
    /// The id the plan prints: `1.a`, `23.b`, or the goal number alone (`9`, `37`) for a goal with one line.
    public var id: String
    public var text: String
    public var instruments: [MonitoringInstrument]
    public var departments: [Department]
    public var footnotes: [String]
    /// How the line, its instruments and departments were re-aligned from the jumbled source table, and why,
    /// so a coordinator can check the reading against the printed plan. Nil when the source was unambiguous.
    public var alignmentNote: String?
    /// The department the plan marks "(coordination)" for a line several departments carry out (33, 34).
    public var coordinator: Department?
}

public struct MonitoringInstrument: Sendable, Codable, Equatable {
    /// `LINE/N`, e.g. `23.b/2`: stable across releases of the plan file.
    public var id: String
    public var text: String
}

extension Plan {
    /// The plan shipped with napsync, decoded once.
    public static let bundled: Plan = {
        do {
            return try Plan.loadBundled()
        } catch {
            fatalError("\(error)")
        }
    }()

    public static func loadBundled() throws(ModelError) -> Plan {
        guard let url = Bundle.module.url(forResource: "plan", withExtension: "json") else {
            throw .planResource("plan.json is missing from the bundle")
        }
        do {
            return try JSONDecoder().decode(Plan.self, from: Data(contentsOf: url))
        } catch {
            throw .planResource("\(error)")
        }
    }

    /// Checks that `year` is a reporting year: the plan's years, and later years for follow-up.
    public func validateYear(_ year: Int) throws(ModelError) {
        guard (firstYear...(firstYear + 30)).contains(year) else {
            throw .invalidField(field: "year", value: String(year), expected: "a year from \(firstYear) to \(firstYear + 30)")
        }
    }

    /// The line, if the department is responsible for it; a clear refusal otherwise.
    public func line(_ id: String, recordableBy department: Department) throws(ModelError) -> LineOfAction {
        guard let line = line(id) else { throw .unknownLine(id) }
        guard line.departments.contains(department) else {
            throw .notResponsible(department: department, line: id, responsible: line.departments)
        }
        return line
    }
}
