import ArgumentParser
import NAPModel

/// `napsync plan [LINE] [--json]`: the plan shipped with this napsync, as text or JSON.
struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Show the plan's objectives, goals and lines of action, or one line in full.",
        discussion: """
            Without a LINE, prints the whole plan: each objective, its goals, and each line of action with the \
            departments responsible for it. With a LINE, prints that line's goal, text, monitoring instruments \
            (with the ids `napsync record figure` takes), departments, footnotes and alignment note.

            A `*` after a line id marks a line whose alignment with the printed plan is uncertain; its alignment \
            note says which reading was chosen, so the coordinator can check it.

            Examples:
              napsync plan                 the whole plan as an outline
              napsync plan 23.b            one line in full
              napsync plan --json          the whole plan as JSON, for scripts
              napsync plan 37 --json       one line as JSON
            """)

    @Argument(help: ArgumentHelp("A line of action as the plan numbers it, e.g. 1.a, 23.b or 37.", valueName: "line"))
    var line: String?

    @Flag(help: "Print JSON with sorted keys instead of text.")
    var json = false

    func validate() throws {
        guard let line else { return }
        let plan = try Plan.loadBundled()
        do {
            _ = try plan.resolveLine(line)
        } catch {
            let goalLines = plan.lineSuggestions(for: line)
            let hint = goalLines.isEmpty ? "" : "; goal \(line) has lines \(goalLines.joined(separator: ", "))"
            throw ValidationError("\(error)\(hint)")
        }
    }

    func run() async throws {
        let plan = try Plan.loadBundled()
        guard let text = line else {
            print(json ? try plan.jsonText() : plan.outline(), terminator: "")
            return
        }
        let id = try plan.resolveLine(text).id
        print(json ? try plan.jsonText(line: id) : try plan.detail(of: id), terminator: "")
    }
}
