import Foundation

/// Escaping for department-written text placed in Markdown, so that a narrative can neither break a table nor
/// inject HTML or links into the rendered report.
enum MarkdownText {
    private static let special: Set<Character> = ["\\", "`", "*", "_", "[", "]", "<", ">", "|", "#", "{", "}", "!"]

    /// Inline text: every Markdown punctuation character is backslash-escaped (CommonMark allows it for any ASCII
    /// punctuation) and line breaks become spaces.
    static func inline(_ text: String) -> String {
        var out = ""
        for character in text {
            if character == "\n" || character == "\r" {
                if out.last != " " { out.append(" ") }
            } else {
                if special.contains(character) { out.append("\\") }
                out.append(character)
            }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// A cell of a table: inline text, with `—` for an empty value.
    static func cell(_ text: String) -> String {
        let escaped = inline(text)
        return escaped.isEmpty ? "—" : escaped
    }

    /// Free text kept as paragraphs, each line escaped; a line that would start a list or a heading is escaped too.
    static func paragraphs(_ text: String) -> String {
        let blocks = text.replacingOccurrences(of: "\r\n", with: "\n")
            .components(separatedBy: "\n\n")
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .filter { !$0.isEmpty }
        return blocks.map { block in
            block.split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in
                    var escaped = inline(String(line))
                    if let first = escaped.first, "-+=".contains(first) { escaped = "\\" + escaped }
                    if let match = escaped.firstMatch(of: /^([0-9]+)([.)])/) {
                        escaped = String(match.output.1) + "\\" + escaped.dropFirst(match.output.1.count)
                    }
                    return escaped
                }
                .joined(separator: "  \n")
        }.joined(separator: "\n\n")
    }

    /// A Markdown table.
    static func table(_ header: [String], _ rows: [[String]], alignRight: Set<Int> = []) -> String {
        var out = "| " + header.joined(separator: " | ") + " |\n"
        out += "|" + header.indices.map { alignRight.contains($0) ? " ---: |" : " --- |" }.joined() + "\n"
        for row in rows { out += "| " + row.joined(separator: " | ") + " |\n" }
        return out
    }
}
