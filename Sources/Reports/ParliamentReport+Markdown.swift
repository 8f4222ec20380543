import NAPModel

extension ParliamentReport {
    /// The report as Markdown.
    public func markdown() -> String {
        var out = "# \(ReportText.title(year: year))\n\nNational Action Plan: \(MarkdownText.inline(planTitle))\n\n"
        out += basis.warningsMarkdown(conflicts: conflicts.count, conflictAnnex: "the annex on unresolved conflicts")
        out += basis.markdown(heading: "##") + "\n"
        out += summaryMarkdown()
        for objective in objectives {
            out += "\n## Objective \(objective.number). \(MarkdownText.inline(objective.title))\n"
            for goal in objective.goals {
                out += "\n### Goal \(goal.number). \(MarkdownText.inline(goal.text))\n"
                for line in goal.lines { out += lineMarkdown(line) }
            }
        }
        out += "\n" + ConflictRow.markdown(conflicts, heading: "## Annex: unresolved conflicts")
        return out
    }

    private func summaryMarkdown() -> String {
        var out = "## Summary\n\n### Lines of action by status\n\n"
        out += "Each line of action counts once for each department responsible for it.\n\n"
        out += MarkdownText.table(
            ["Status", "Lines"], summary.statuses.map { [ReportText.status($0.status), String($0.count)] },
            alignRight: [1])
        out += "\n### By department\n\n"
        let statusHeader = summary.statuses.map { ReportText.status($0.status) }
        out += MarkdownText.table(
            ["Department", "Lines"] + statusHeader + ["Interventions", "Budget"],
            summary.departments.map { row in
                [row.department.displayName, String(row.responsibleLines)] + row.statuses.map { String($0.count) }
                    + [String(row.interventions), Euro.text(cents: row.budgetCents)]
            },
            alignRight: Set(1...(statusHeader.count + 3)))
        out += "\n### Budgets by country\n\n"
        out += "Target countries of the plan are listed first. \(ReportText.countryNote)\n\n"
        var rows = summary.countries.map { country in
            [
                country.isTarget
                    ? "**\(MarkdownText.inline(country.name))** (target country)" : MarkdownText.inline(country.name),
                String(country.interventions), Euro.text(cents: country.budgetCents),
            ]
        }
        if summary.withoutCountry.interventions > 0 {
            rows.append([
                summary.withoutCountry.name, String(summary.withoutCountry.interventions),
                Euro.text(cents: summary.withoutCountry.budgetCents),
            ])
        }
        rows.append(["**Total**", "**\(summary.interventions)**", "**\(Euro.text(cents: summary.totalBudgetCents))**"])
        out += MarkdownText.table(["Country", "Interventions", "Budget"], rows, alignRight: [1, 2])
        if summary.interventionsWithoutBudget > 0 {
            out +=
                "\n\(summary.interventionsWithoutBudget) of the \(summary.interventions) \(summary.interventionsWithoutBudget == 1 ? "intervention has" : "interventions have") no budget given.\n"
        }
        out += "\n### Completeness of reporting\n\n"
        out += "A department has reported on a line when it made a progress entry for \(year).\n\n"
        out += MarkdownText.table(
            ["Department", "Lines responsible", "Reported", "Completeness", "Not reported"],
            completeness.map { row in
                [
                    row.department.displayName, String(row.lines.count), String(row.reported),
                    row.share?.description ?? "—", row.missing.isEmpty ? "—" : row.missing.joined(separator: ", "),
                ]
            },
            alignRight: [1, 2, 3])
        return out
    }

    private func lineMarkdown(_ line: LineSection) -> String {
        var out = "\n#### Line \(MarkdownText.inline(line.id)): \(MarkdownText.inline(line.text))\n"
        for section in line.departments {
            out += "\n**\(section.department.displayName)**: \(ReportText.status(section.status))"
            if !section.responsible { out += " (not listed as responsible for this line in the plan)" }
            out += "\n"
            if !section.conflicts.isEmpty {
                out +=
                    "\n> Unresolved conflict (\(MarkdownText.inline(section.conflicts.joined(separator: ", ")))): "
                    + "the value shown may change; see the annex.\n"
            }
            if !section.narrative.isEmpty { out += "\n" + MarkdownText.paragraphs(section.narrative) + "\n" }
            if !section.interventions.isEmpty {
                out += "\nInterventions:\n\n"
                out += MarkdownText.table(
                    ["Date", "Countries", "Description", "Budget"],
                    section.interventions.map {
                        [
                            $0.date, MarkdownText.cell($0.countriesText), MarkdownText.cell($0.description),
                            ReportText.budget($0.budgetCents),
                        ]
                    },
                    alignRight: [3])
            }
            if !section.figures.isEmpty {
                out += "\nFigures:\n\n"
                out += MarkdownText.table(
                    ["Instrument", "Value", "Women", "Men", "Change since \(year - 1)"],
                    section.figures.map { figure in
                        [
                            MarkdownText.cell("\(figure.instrument) \(figure.instrumentText)"),
                            MarkdownText.cell(figure.valueText), figure.percentWomen?.description ?? "—",
                            figure.percentMen?.description ?? "—",
                            MarkdownText.cell(figure.previous?.change ?? "no figure for \(year - 1)"),
                        ]
                    },
                    alignRight: [2, 3])
                if section.figures.contains(where: { $0.kind == .counts }) { out += "\n\(ReportText.sharesNote)\n" }
            }
        }
        if let review = line.review {
            out += "\n*Coordinator's review:*\n\n" + MarkdownText.paragraphs(review) + "\n"
        }
        return out
    }
}
