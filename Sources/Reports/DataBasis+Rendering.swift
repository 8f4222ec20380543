import Foundation

extension DataBasis {
    /// The warnings a report opens with: stale or missing department data, and unresolved conflicts.
    func warningsMarkdown(conflicts: Int, conflictAnnex: String) -> String {
        var out = ""
        let stale = staleSources
        if !stale.isEmpty {
            out +=
                "> **Warning: data older than \(staleAfterDays) days or missing.** "
                + "Check with these departments before sending this report:\n>\n"
            for source in stale { out += "> - \(MarkdownText.inline(staleLine(source)))\n" }
            out += "\n"
        }
        if conflicts > 0 {
            out +=
                "> **Warning: \(conflicts) unresolved \(conflicts == 1 ? "conflict" : "conflicts").** "
                + "The values shown may change when the departments resolve them; see \(conflictAnnex).\n\n"
        }
        return out
    }

    func markdown(heading: String) -> String {
        var out = "\(heading) What this report rests on\n\n"
        out += "- Made at: \(ReportDate.dateTime(madeAt))\n"
        out += "- Data as held by the replica at: \(ReportDate.dateTime(snapshotTakenAt))\n"
        out += "- Replica vector clock (node: last change applied): \(MarkdownText.inline(clockText))\n"
        out += "- Data is flagged as old after \(staleAfterDays) days.\n\n"
        out += MarkdownText.table(
            ["Department", "Last data received", "Flag"],
            sources.map { [MarkdownText.cell($0.name), arrivalText($0), $0.stale ? "**old or missing**" : ""] })
        return out
    }

    func warningsHTML(conflicts: Int, conflictAnchor: String) -> String {
        var out = ""
        let stale = staleSources
        if !stale.isEmpty {
            out +=
                "<div class=\"warning\"><p><strong>Warning: data older than \(staleAfterDays) days or missing.</strong> "
                + "Check with these departments before sending this report:</p><ul>"
            for source in stale { out += "<li>\(HTMLText.escape(staleLine(source)))</li>" }
            out += "</ul></div>\n"
        }
        if conflicts > 0 {
            out +=
                "<div class=\"warning\"><p><strong>Warning: \(conflicts) unresolved "
                + "\(conflicts == 1 ? "conflict" : "conflicts").</strong> The values shown may change when the "
                + "departments resolve them; see <a href=\"#\(conflictAnchor)\">the annex</a>.</p></div>\n"
        }
        return out
    }

    func html(heading: String) -> String {
        var out = "<section class=\"basis\"><\(heading)>What this report rests on</\(heading)><ul>"
        out += "<li>Made at: \(ReportDate.dateTime(madeAt))</li>"
        out += "<li>Data as held by the replica at: \(ReportDate.dateTime(snapshotTakenAt))</li>"
        out += "<li>Replica vector clock (node: last change applied): <code>\(HTMLText.escape(clockText))</code></li>"
        out += "<li>Data is flagged as old after \(staleAfterDays) days.</li></ul>"
        out += "<table><thead><tr><th>Department</th><th>Last data received</th><th>Flag</th></tr></thead><tbody>"
        for source in sources {
            out +=
                "<tr\(source.stale ? " class=\"stale\"" : "")><td>\(HTMLText.escape(source.name))</td>"
                + "<td>\(HTMLText.escape(arrivalText(source)))</td><td>\(source.stale ? "old or missing" : "")</td></tr>"
        }
        return out + "</tbody></table></section>\n"
    }

    /// Columns every CSV row ends with, so that a CSV file, too, says what it rests on.
    static let csvHeader = [
        "made_at", "data_as_of", "vector_clock", "departments_with_old_data", "unresolved_conflicts",
    ]

    func csvFields(conflicts: Int) -> [String] {
        [
            ReportDate.iso(madeAt), ReportDate.iso(snapshotTakenAt), clockText,
            staleSources.map(\.owner).joined(separator: " "), String(conflicts),
        ]
    }
}

extension ConflictRow {
    static func markdown(_ rows: [ConflictRow], heading: String) -> String {
        var out = "\(heading)\n\n"
        guard !rows.isEmpty else {
            return out + "None: every value in this report is settled.\n"
        }
        out +=
            "These values were changed concurrently on different computers and the owning department has not yet "
            + "settled them. The report shows the value in the \"Shown\" column.\n\n"
        out += MarkdownText.table(
            ["Department", "Record", "Field", "Shown", "Other values"],
            rows.map { row in
                [
                    MarkdownText.cell(row.owner), MarkdownText.cell(row.subject),
                    MarkdownText.cell(row.field + (row.kind == "removal" ? " (removed elsewhere)" : "")),
                    MarkdownText.cell("\(row.shown.value) (\(row.shown.writtenAt))"),
                    MarkdownText.cell(row.others.map { "\($0.value) (\($0.writtenAt))" }.joined(separator: "; ")),
                ]
            })
        return out
    }

    static func html(_ rows: [ConflictRow], heading: String, anchor: String) -> String {
        var out = "<section id=\"\(anchor)\" class=\"annex\"><h2>\(HTMLText.escape(heading))</h2>"
        guard !rows.isEmpty else { return out + "<p>None: every value in this report is settled.</p></section>\n" }
        out +=
            "<p>These values were changed concurrently on different computers and the owning department has not "
            + "yet settled them. The report shows the value in the “Shown” column.</p>"
        out +=
            "<table><thead><tr><th>Department</th><th>Record</th><th>Field</th><th>Shown</th><th>Other values</th>"
            + "</tr></thead><tbody>"
        for row in rows {
            let field = row.field + (row.kind == "removal" ? " (removed elsewhere)" : "")
            let others = row.others.map { "\($0.value) (\($0.writtenAt))" }.joined(separator: "; ")
            out +=
                "<tr><td>\(HTMLText.escape(row.owner))</td><td>\(HTMLText.escape(row.subject))</td>"
                + "<td>\(HTMLText.escape(field))</td>"
                + "<td>\(HTMLText.escape("\(row.shown.value) (\(row.shown.writtenAt))"))</td>"
                + "<td>\(HTMLText.escape(others))</td></tr>"
        }
        return out + "</tbody></table></section>\n"
    }
}
