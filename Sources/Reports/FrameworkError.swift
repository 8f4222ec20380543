/// A framework file napsync cannot use. Every problem names the entry it is about (`indicator EU-5: missing
/// wording`, `mapping 23.b/9: unknown instrument`), so a coordinator can fix the file without reading code.
public struct FrameworkError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file, or `the bundled frameworks.json`.
    public var file: String
    /// One line per problem, each naming its entry.
    public var problems: [String]

    public init(file: String, problems: [String]) {
        self.file = file
        self.problems = problems
    }

    public var description: String {
        let shown = problems.prefix(20).joined(separator: "; ")
        let more = problems.count > 20 ? "; and \(problems.count - 20) more" : ""
        return "indicator framework file \(file) cannot be used: \(shown)\(more); "
            + "fix these entries (or leave out --frameworks to use the bundled file)"
    }
}
