import NAPModel

extension ParliamentReport {
    /// The report as one standalone, printable HTML page: inline CSS, the completeness chart as inline SVG, every
    /// piece of recorded text escaped.
    public func html() -> String {
        let title = ReportText.title(year: year)
        var body = "<h1>\(HTMLText.escape(title))</h1>\n<p>National Action Plan: \(HTMLText.escape(planTitle))</p>\n"
        body += basis.warningsHTML(conflicts: conflicts.count, conflictAnchor: "conflicts")
        body += basis.html(heading: "h2")
        body += summaryHTML()
        for objective in objectives {
            body +=
                "<section class=\"objective\"><h2>Objective \(objective.number). \(HTMLText.escape(objective.title))</h2>\n"
            for goal in objective.goals {
                body += "<h3>Goal \(goal.number). \(HTMLText.escape(goal.text))</h3>\n"
                for line in goal.lines { body += lineHTML(line) }
            }
            body += "</section>\n"
        }
        body += ConflictRow.html(conflicts, heading: "Annex: unresolved conflicts", anchor: "conflicts")
        return HTMLPage.wrap(title: title, body: body)
    }

    private func summaryHTML() -> String {
        var out = "<section class=\"summary\"><h2>Summary</h2><h3>Lines of action by status</h3>"
        out += "<p>Each line of action counts once for each department responsible for it.</p>"
        out += "<table><thead><tr><th>Status</th><th class=\"num\">Lines</th></tr></thead><tbody>"
        for row in summary.statuses {
            out += "<tr><td>\(ReportText.status(row.status))</td><td class=\"num\">\(row.count)</td></tr>"
        }
        out += "</tbody></table><h3>By department</h3><table><thead><tr><th>Department</th><th class=\"num\">Lines</th>"
        for row in summary.statuses { out += "<th class=\"num\">\(ReportText.status(row.status))</th>" }
        out += "<th class=\"num\">Interventions</th><th class=\"num\">Budget</th></tr></thead><tbody>"
        for row in summary.departments {
            out +=
                "<tr><td>\(HTMLText.escape(row.department.displayName))</td><td class=\"num\">\(row.responsibleLines)</td>"
            for status in row.statuses { out += "<td class=\"num\">\(status.count)</td>" }
            out +=
                "<td class=\"num\">\(row.interventions)</td><td class=\"num\">\(Euro.text(cents: row.budgetCents))</td></tr>"
        }
        out += "</tbody></table><h3>Budgets by country</h3>"
        out += "<p>Target countries of the plan are listed first. \(HTMLText.escape(ReportText.countryNote))</p>"
        out +=
            "<table><thead><tr><th>Country</th><th class=\"num\">Interventions</th><th class=\"num\">Budget</th></tr></thead><tbody>"
        var countries = summary.countries
        if summary.withoutCountry.interventions > 0 { countries.append(summary.withoutCountry) }
        for country in countries {
            let name = HTMLText.escape(country.name) + (country.isTarget ? " (target country)" : "")
            out +=
                "<tr\(country.isTarget ? " class=\"target\"" : "")><td>\(name)</td>"
                + "<td class=\"num\">\(country.interventions)</td><td class=\"num\">\(Euro.text(cents: country.budgetCents))</td></tr>"
        }
        out +=
            "<tr class=\"total\"><td>Total</td><td class=\"num\">\(summary.interventions)</td>"
            + "<td class=\"num\">\(Euro.text(cents: summary.totalBudgetCents))</td></tr></tbody></table>"
        if summary.interventionsWithoutBudget > 0 {
            out +=
                "<p class=\"note\">\(summary.interventionsWithoutBudget) of the \(summary.interventions) "
                + "\(summary.interventionsWithoutBudget == 1 ? "intervention has" : "interventions have") no budget given.</p>"
        }
        out += "<h3>Completeness of reporting</h3>"
        out += "<p>A department has reported on a line when it made a progress entry for \(year).</p>"
        out += completenessChart()
        out +=
            "<table><thead><tr><th>Department</th><th class=\"num\">Lines responsible</th><th class=\"num\">Reported</th>"
            + "<th class=\"num\">Completeness</th><th>Not reported</th></tr></thead><tbody>"
        for row in completeness {
            out +=
                "<tr><td>\(HTMLText.escape(row.department.displayName))</td><td class=\"num\">\(row.lines.count)</td>"
                + "<td class=\"num\">\(row.reported)</td><td class=\"num\">\(row.share?.description ?? "—")</td>"
                + "<td>\(row.missing.isEmpty ? "—" : HTMLText.escape(row.missing.joined(separator: ", ")))</td></tr>"
        }
        return out + "</tbody></table></section>\n"
    }

    /// A horizontal bar per department: the share of its lines it reported on.
    func completenessChart() -> String {
        let labelWidth = 190, barWidth = 360, rowHeight = 26, top = 10
        let width = labelWidth + barWidth + 120
        let height = top * 2 + rowHeight * completeness.count + 16
        var out =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" "
            + "viewBox=\"0 0 \(width) \(height)\" role=\"img\" aria-label=\"Completeness of reporting by department, \(year)\">"
        out += "<title>Completeness of reporting by department, \(year)</title>"
        for (index, row) in completeness.enumerated() {
            let y = top + index * rowHeight
            let tenths = Int(row.share?.tenths ?? 0)
            let filled = barWidth * tenths / 1000
            out +=
                "<text x=\"\(labelWidth - 8)\" y=\"\(y + 17)\" text-anchor=\"end\" font-size=\"12\" fill=\"#1a1a1a\">"
                + "\(HTMLText.escape(row.department.displayName))</text>"
            out +=
                "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(barWidth)\" height=\"18\" fill=\"#e8eef4\" stroke=\"#b8c4d0\"/>"
            if filled > 0 {
                out += "<rect x=\"\(labelWidth)\" y=\"\(y + 4)\" width=\"\(filled)\" height=\"18\" fill=\"#1f4e79\"/>"
            }
            out +=
                "<text x=\"\(labelWidth + barWidth + 6)\" y=\"\(y + 17)\" font-size=\"12\" fill=\"#1a1a1a\">"
                + "\(row.share?.description ?? "—") (\(row.reported)/\(row.lines.count))</text>"
        }
        let axisY = top + rowHeight * completeness.count + 12
        for percent in stride(from: 0, through: 100, by: 25) {
            let x = labelWidth + barWidth * percent / 100
            out +=
                "<text x=\"\(x)\" y=\"\(axisY)\" text-anchor=\"middle\" font-size=\"10\" fill=\"#444\">\(percent)%</text>"
        }
        return out + "</svg>"
    }

    private func lineHTML(_ line: LineSection) -> String {
        var out = "<section class=\"line\"><h4>Line \(HTMLText.escape(line.id)): \(HTMLText.escape(line.text))</h4>\n"
        for section in line.departments {
            out +=
                "<div class=\"department\"><p><strong>\(HTMLText.escape(section.department.displayName))</strong>: "
                + "<span class=\"status\(section.status == nil ? " missing" : "")\">\(ReportText.status(section.status))</span>"
            if !section.responsible { out += " (not listed as responsible for this line in the plan)" }
            out += "</p>"
            if !section.conflicts.isEmpty {
                out +=
                    "<p class=\"missing\">Unresolved conflict (\(HTMLText.escape(section.conflicts.joined(separator: ", ")))): "
                    + "the value shown may change; see <a href=\"#conflicts\">the annex</a>.</p>"
            }
            out += HTMLText.paragraphs(section.narrative)
            if !section.interventions.isEmpty {
                out +=
                    "<table><caption>Interventions</caption><thead><tr><th>Date</th><th>Countries</th><th>Description</th>"
                    + "<th class=\"num\">Budget</th></tr></thead><tbody>"
                for row in section.interventions {
                    out +=
                        "<tr><td>\(HTMLText.escape(row.date))</td><td>\(HTMLText.escape(row.countriesText))</td>"
                        + "<td>\(HTMLText.escape(row.description))</td><td class=\"num\">\(ReportText.budget(row.budgetCents))</td></tr>"
                }
                out += "</tbody></table>"
            }
            if !section.figures.isEmpty {
                out +=
                    "<table><caption>Figures</caption><thead><tr><th>Instrument</th><th>Value</th><th class=\"num\">Women</th>"
                    + "<th class=\"num\">Men</th><th>Change since \(year - 1)</th></tr></thead><tbody>"
                for figure in section.figures {
                    out +=
                        "<tr><td>\(HTMLText.escape("\(figure.instrument) \(figure.instrumentText)"))</td>"
                        + "<td>\(HTMLText.escape(figure.valueText))</td>"
                        + "<td class=\"num\">\(figure.percentWomen?.description ?? "—")</td>"
                        + "<td class=\"num\">\(figure.percentMen?.description ?? "—")</td>"
                        + "<td>\(HTMLText.escape(figure.previous?.change ?? "no figure for \(year - 1)"))</td></tr>"
                }
                out += "</tbody></table>"
                if section.figures.contains(where: { $0.kind == .counts }) {
                    out += "<p class=\"note\">\(ReportText.sharesNote)</p>"
                }
            }
            out += "</div>\n"
        }
        if let review = line.review {
            out +=
                "<div class=\"review\"><p><strong>Coordinator's review:</strong></p>\(HTMLText.paragraphs(review))</div>\n"
        }
        return out + "</section>\n"
    }
}
