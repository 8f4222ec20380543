extension IndicatorResponse {
    /// The response as Markdown. The EU response opens with one row per indicator; the UN response is organised by
    /// pillar and ends with a quantitative annex.
    public func markdown() -> String {
        var out = "# \(MarkdownText.inline(title))\n\n"
        out += "National Action Plan: \(MarkdownText.inline(planTitle))\n\n"
        out += basis.warningsMarkdown(conflicts: conflicts.count, conflictAnnex: "the annex on unresolved conflicts")
        out += basis.markdown(heading: "##") + "\n"
        out += "## Indicator framework\n\n"
        out += "\(MarkdownText.inline(framework.title)). Source: \(MarkdownText.inline(framework.source)).\n"
        if let selection = framework.selection { out += "\n" + MarkdownText.paragraphs(selection) + "\n" }
        if let note = framework.note { out += "\n" + MarkdownText.paragraphs(note) + "\n" }
        if framework.uncheckedWordings > 0 {
            out +=
                "\n\(Self.uncheckedMark) \(framework.uncheckedWordings) of \(indicators.count) indicator wordings could "
                + "not be checked against the source document; they are marked \(Self.uncheckedMark). Check them before "
                + "sending this response.\n"
        }
        if pillars.count == 1 && pillars[0].title == nil {
            out += "\n## Overview\n\n" + overviewTable(indicators)
            out += "\n## Indicators\n"
            for answer in indicators { out += answerMarkdown(answer, heading: "###") }
        } else {
            for pillar in pillars {
                out += "\n## \(MarkdownText.inline(pillar.title ?? "Indicators"))\n"
                if pillar.indicators.isEmpty { out += "\nNo indicator of this pillar is in the frameworks file.\n" }
                for answer in pillar.indicators { out += answerMarkdown(answer, heading: "###") }
            }
            out += "\n## Quantitative annex\n\n" + quantitativeMarkdown()
        }
        out += "\n" + ConflictRow.markdown(conflicts, heading: "## Annex: unresolved conflicts")
        return out
    }

    private func wordingText(_ answer: IndicatorAnswer) -> String {
        MarkdownText.inline(answer.wording) + (answer.wordingChecked ? "" : " \(Self.uncheckedMark)")
    }

    private func overviewTable(_ answers: [IndicatorAnswer]) -> String {
        MarkdownText.table(
            ["Indicator", "Women", "Men", "Women %", "Countries", "Projects", "Budget", "Coverage"],
            answers.map { answer in
                [
                    "\(answer.code): \(wordingText(answer))",
                    answer.bySex.map { String($0.women) } ?? "—", answer.bySex.map { String($0.men) } ?? "—",
                    answer.bySex?.percentWomen?.description ?? "—", String(answer.countries.count),
                    String(answer.projects.count),
                    answer.projects.isEmpty ? "—" : Euro.text(cents: answer.totalBudgetCents),
                    coverageShort(answer.coverage),
                ]
            },
            alignRight: [1, 2, 3, 4, 5, 6])
    }

    func coverageShort(_ coverage: IndicatorAnswer.Coverage) -> String {
        switch coverage {
        case .notMapped: "not mapped"
        case .noData: "no data"
        case .answered: "answered"
        }
    }

    private func answerMarkdown(_ answer: IndicatorAnswer, heading: String) -> String {
        var out = "\n\(heading) \(MarkdownText.inline(answer.code)): \(wordingText(answer))\n\n"
        if !answer.wordingChecked, let note = answer.wordingNote {
            out += "*Wording not checked against the source: \(MarkdownText.inline(note))*\n\n"
        }
        if answer.instruments.isEmpty {
            return out + answer.coverageText + "\n"
        }
        out +=
            "Plan instruments:\n\n"
            + answer.instruments.map { "- \($0.id): \(MarkdownText.inline($0.text))\n" }.joined()
        if answer.coverage == .noData { return out + "\n" + answer.coverageText + "\n" }
        var facts: [String] = []
        if let text = answer.bySexText { facts.append("By sex: \(text)") }
        if let text = answer.numbersText { facts.append("Figures: \(MarkdownText.inline(text))") }
        if let text = answer.yesNoText { facts.append("Yes/no: \(MarkdownText.inline(text))") }
        if !answer.countries.isEmpty {
            facts.append("Countries: " + answer.countries.map { MarkdownText.inline($0.name) }.joined(separator: ", "))
        }
        if !answer.projects.isEmpty {
            facts.append("Projects: \(answer.projects.count), budget \(Euro.text(cents: answer.totalBudgetCents))")
        }
        if !facts.isEmpty { out += "\nIn \(year):\n\n" + facts.map { "- \($0)\n" }.joined() }
        if !answer.figures.isEmpty {
            out +=
                "\n"
                + MarkdownText.table(
                    ["Instrument", "Department", "Value", "Women", "Men"],
                    answer.figures.map {
                        [
                            $0.instrument, $0.departmentName, MarkdownText.cell($0.valueText),
                            $0.percentWomen?.description ?? "—",
                            $0.percentMen?.description ?? "—",
                        ]
                    },
                    alignRight: [3, 4])
        }
        if !answer.projects.isEmpty {
            out +=
                "\n"
                + MarkdownText.table(
                    ["Date", "Department", "Countries", "Project", "Budget"],
                    answer.projects.map {
                        [
                            $0.date, $0.departmentName, MarkdownText.cell(ReportText.countries($0.countries)),
                            MarkdownText.cell($0.description), ReportText.budget($0.budgetCents),
                        ]
                    },
                    alignRight: [4])
        }
        for item in answer.narrative where !item.text.isEmpty {
            out +=
                "\n**\(item.departmentName)**, line \(MarkdownText.inline(item.line)) (\(ReportText.status(item.status))):\n\n"
            out += MarkdownText.paragraphs(item.text) + "\n"
        }
        return out
    }

    private func quantitativeMarkdown() -> String {
        let rows = pillars.flatMap { pillar in
            pillar.indicators.flatMap { answer in
                answer.figures.map { figure in
                    [
                        MarkdownText.cell(pillar.title ?? ""), answer.code, figure.instrument, figure.departmentName,
                        MarkdownText.cell(figure.valueText), figure.percentWomen?.description ?? "—",
                        figure.percentMen?.description ?? "—",
                    ]
                }
            }
        }
        guard !rows.isEmpty else { return "No figures were recorded for \(year) under the mapped instruments.\n" }
        return MarkdownText.table(
            ["Pillar", "Indicator", "Instrument", "Department", "Value", "Women", "Men"], rows, alignRight: [5, 6])
            + "\n\(ReportText.sharesNote)\n"
    }
}
