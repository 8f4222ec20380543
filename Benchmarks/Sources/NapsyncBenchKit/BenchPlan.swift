import Foundation
import NAPModel

/// The plan the benchmarks validate records against.
///
/// `Replica.save` checks every record against a plan. The suite brings its own small plan rather than the
/// bundled one, so that what it measures does not change when the bundled plan file is edited.
public enum BenchPlan {
    /// The department whose node writes in every benchmark.
    public static let department = Department.defence

    /// Lines of action the department may record interventions under.
    public static let lineIDs = ["1.a", "1.b", "2.a", "3.a", "3.b", "4", "5.a", "5.b", "6.a", "7"]

    public static let plan: Plan = {
        let lines = lineIDs.map { id in
            """
            {"id": "\(id)", "text": "Line \(id)", "instruments": [], "departments": ["\(department.rawValue)"],
             "footnotes": []}
            """
        }
        let json = """
            {"id": "\(Plan.bundled.id)", "title": "benchmark plan", "firstYear": 2013, "lastYear": 2016,
             "objectives": [{"number": 1, "title": "Objective", "goals": [{"number": 1, "text": "Goal",
             "lines": [\(lines.joined(separator: ","))]}]}]}
            """
        do {
            return try JSONDecoder().decode(Plan.self, from: Data(json.utf8))
        } catch {
            fatalError("the benchmark plan does not decode: \(error)")
        }
    }()
}
