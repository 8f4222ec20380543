import Foundation

/// Text and JSON renderings of the plan for `napsync plan`. They live here, not in the executable, so that
/// tests pin them.
extension Plan {
    /// The whole plan as an indented outline: objective, goal, then each line of action with its departments.
    /// Lines whose alignment with the source table is uncertain carry a `*`.
    public func outline(width: Int = 100) -> String {
        var out: [String] = []
        let lineCount = lines.count
        let goalCount = objectives.reduce(0) { $0 + $1.goals.count }
        out += TextLayout.wrap(title, width: width, prefix: "")
        out += TextLayout.wrap(
            "\(id), \(firstYear)-\(lastYear): \(objectives.count) objectives, \(goalCount) goals, \(lineCount) lines of action",
            width: width, prefix: "")
        for objective in objectives {
            out.append("")
            out += TextLayout.wrap(objective.title, width: width, prefix: "Objective \(objective.number). ")
            for goal in objective.goals {
                out.append("")
                out += TextLayout.wrap(goal.text, width: width, prefix: "  Goal \(goal.number). ")
                for line in goal.lines {
                    let mark = line.alignmentNote == nil ? " " : "*"
                    let label = "    " + line.id.padding(toLength: 5, withPad: " ", startingAt: 0) + mark + " "
                    out += TextLayout.wrap(line.text, width: width, prefix: label)
                    let indent = String(repeating: " ", count: label.count)
                    out += TextLayout.wrap("[\(line.departmentList)]", width: width, prefix: indent)
                }
            }
        }
        out.append("")
        out += TextLayout.wrap(
            "the line's alignment with the printed plan is uncertain; `napsync plan LINE` shows the note.",
            width: width, prefix: "* ")
        return out.joined(separator: "\n") + "\n"
    }

    /// One line of action in full: its goal and objective, text, instruments with their ids, departments,
    /// footnotes and alignment note.
    public func detail(of lineID: String, width: Int = 100) throws(ModelError) -> String {
        guard let line = line(lineID), let location = location(of: lineID) else { throw .unknownLine(lineID) }
        let (objective, goal) = location
        var out: [String] = []
        out += TextLayout.wrap(line.text, width: width, prefix: "Line \(line.id)  ")
        out.append("")
        out += TextLayout.wrap(objective.title, width: width, prefix: "Objective \(objective.number).  ")
        out += TextLayout.wrap(goal.text, width: width, prefix: "Goal \(goal.number).".padding(toLength: 14, withPad: " ", startingAt: 0))
        out.append("")
        out.append("Monitoring instruments")
        let idWidth = line.instruments.map(\.id.count).max() ?? 0
        for instrument in line.instruments {
            let label = "  " + instrument.id.padding(toLength: idWidth, withPad: " ", startingAt: 0) + "  "
            out += TextLayout.wrap(instrument.text, width: width, prefix: label)
        }
        out.append("")
        out.append("Departments")
        let slugWidth = line.departments.map(\.rawValue.count).max() ?? 0
        for department in line.departments {
            let role = department == line.coordinator ? " (coordination)" : ""
            out.append("  " + department.rawValue.padding(toLength: slugWidth, withPad: " ", startingAt: 0) + "  "
                + department.displayName + role)
        }
        if !line.footnotes.isEmpty {
            out.append("")
            out.append("Footnotes")
            for (number, footnote) in line.footnotes.enumerated() {
                out += TextLayout.wrap(footnote, width: width, prefix: "  \(number + 1). ")
            }
        }
        if let note = line.alignmentNote {
            out.append("")
            out.append("Alignment note (check against the printed plan)")
            out += TextLayout.wrap(note, width: width, prefix: "  ")
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// Finds a line from what a person typed: case and surrounding spaces are ignored, as is a trailing dot
    /// (the plan prints `9.` and `4.b.`).
    public func resolveLine(_ text: String) throws(ModelError) -> LineOfAction {
        var id = text.trimmingCharacters(in: .whitespaces).lowercased()
        if id.count > 1 && id.hasSuffix(".") { id.removeLast() }
        guard let line = line(id) else { throw .unknownLine(text) }
        return line
    }

    /// The lines of a goal when `text` names the goal (`23` gives 23.a ... 23.d); empty otherwise.
    /// Lets an error for an unknown line point at the ids that exist.
    public func lineSuggestions(for text: String) -> [String] {
        let prefix = text.trimmingCharacters(in: .whitespaces).lowercased().split(separator: ".").first.map(String.init)
        guard let prefix, let number = Int(prefix) else { return [] }
        return objectives.lazy.flatMap(\.goals).first { $0.number == number }?.lines.map(\.id) ?? []
    }

    /// The whole plan as JSON with sorted keys, for scripts.
    public func jsonText() throws -> String {
        try TextLayout.json(self)
    }

    /// One line of action as JSON with sorted keys.
    public func jsonText(line lineID: String) throws -> String {
        guard let line = line(lineID) else { throw ModelError.unknownLine(lineID) }
        return try TextLayout.json(line)
    }
}

extension LineOfAction {
    /// Department slugs as the CLI takes them, the coordinating department marked.
    var departmentList: String {
        departments.map { $0 == coordinator ? "\($0.rawValue) (coordination)" : $0.rawValue }
            .joined(separator: ", ")
    }
}

/// Word wrapping and JSON encoding shared by the plan's renderings.
enum TextLayout {
    /// Wraps `text` to `width` columns; the first line starts with `prefix`, later lines are indented to line up
    /// under the text. A word longer than the room left stays whole on its own line.
    static func wrap(_ text: String, width: Int, prefix: String) -> [String] {
        let indent = String(repeating: " ", count: prefix.count)
        let room = max(width - prefix.count, 20)
        var lines: [String] = []
        var current = ""
        for word in text.split(whereSeparator: \.isWhitespace) {
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= room {
                current += " " + word
            } else {
                lines.append(current)
                current = String(word)
            }
        }
        lines.append(current)
        return lines.enumerated().map { ($0.offset == 0 ? prefix : indent) + $0.element }
    }

    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self) + "\n"
    }
}
