import NAPModel

/// Sort keys that put lines and instruments in the order the plan prints them; anything not in the plan sorts
/// after, by id, so a report never drops data because the plan file changed.
struct PlanOrder {
    private var lineIndex: [String: Int] = [:]
    private var instrumentIndex: [String: Int] = [:]

    init(_ plan: Plan) {
        for (index, line) in plan.lines.enumerated() {
            lineIndex[line.id] = lineIndex[line.id] ?? index
            for (position, instrument) in line.instruments.enumerated() {
                instrumentIndex[instrument.id] = instrumentIndex[instrument.id] ?? position
            }
        }
    }

    struct Key: Comparable {
        var index: Int
        var sub: Int
        var id: String
        var department: Int

        static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.index, lhs.id, lhs.sub, lhs.department) < (rhs.index, rhs.id, rhs.sub, rhs.department)
        }
    }

    func lineKey(_ line: String, _ department: Department? = nil) -> Key {
        Key(
            index: lineIndex[line] ?? Int.max, sub: 0, id: lineIndex[line] == nil ? line : "",
            department: rank(department))
    }

    func instrumentKey(_ instrument: String, _ department: Department? = nil) -> Key {
        let line = String(instrument.prefix { $0 != "/" })
        let known = lineIndex[line] != nil
        return Key(
            index: lineIndex[line] ?? Int.max, sub: instrumentIndex[instrument] ?? Int.max,
            id: known ? (instrumentIndex[instrument] == nil ? instrument : "") : instrument,
            department: rank(department))
    }

    private func rank(_ department: Department?) -> Int {
        department.flatMap { Department.allCases.firstIndex(of: $0) } ?? -1
    }
}
