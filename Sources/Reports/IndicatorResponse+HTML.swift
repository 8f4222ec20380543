extension IndicatorResponse {
    /// The response as one standalone, printable HTML page.
    public func html() -> String {
        var body = "<h1>\(HTMLText.escape(title))</h1>\n<p>National Action Plan: \(HTMLText.escape(planTitle))</p>\n"
        body += basis.warningsHTML(conflicts: conflicts.count, conflictAnchor: "conflicts")
        body += basis.html(heading: "h2")
        body +=
            "<section><h2>Indicator framework</h2><p>\(HTMLText.escape(framework.title)). Source: "
            + "\(HTMLText.escape(framework.source)).</p>"
        if let selection = framework.selection { body += HTMLText.paragraphs(selection) }
        if let note = framework.note { body += HTMLText.paragraphs(note) }
        if framework.uncheckedWordings > 0 {
            body +=
                "<p class=\"unverified\">\(Self.uncheckedMark) \(framework.uncheckedWordings) of \(indicators.count) "
                + "indicator wordings could not be checked against the source document; they are marked "
                + "\(Self.uncheckedMark). Check them before sending this response.</p>"
        }
        body += "</section>\n"
        if pillars.count == 1 && pillars[0].title == nil {
            body += "<section><h2>Overview</h2>\(overviewHTML(indicators))</section>\n<section><h2>Indicators</h2>\n"
            for answer in indicators { body += answerHTML(answer) }
            body += "</section>\n"
        } else {
            for pillar in pillars {
                body += "<section><h2>\(HTMLText.escape(pillar.title ?? "Indicators"))</h2>\n"
                if pillar.indicators.isEmpty { body += "<p>No indicator of this pillar is in the frameworks file.</p>" }
                for answer in pillar.indicators { body += answerHTML(answer) }
                body += "</section>\n"
            }
            body += "<section><h2>Quantitative annex</h2>\(quantitativeHTML())</section>\n"
        }
        body += ConflictRow.html(conflicts, heading: "Annex: unresolved conflicts", anchor: "conflicts")
        return HTMLPage.wrap(title: title, body: body)
    }

    private func wordingHTML(_ answer: IndicatorAnswer) -> String {
        HTMLText.escape(answer.wording)
            + (answer.wordingChecked
                ? ""
                : " <span class=\"unverified\" title=\"not checked against the source\">\(Self.uncheckedMark)</span>")
    }

    private func overviewHTML(_ answers: [IndicatorAnswer]) -> String {
        var out =
            "<table><thead><tr><th>Indicator</th><th class=\"num\">Women</th><th class=\"num\">Men</th>"
            + "<th class=\"num\">Women %</th><th class=\"num\">Countries</th><th class=\"num\">Projects</th>"
            + "<th class=\"num\">Budget</th><th>Coverage</th></tr></thead><tbody>"
        for answer in answers {
            out +=
                "<tr><td>\(HTMLText.escape(answer.code)): \(wordingHTML(answer))</td>"
                + "<td class=\"num\">\(answer.bySex.map { String($0.women) } ?? "—")</td>"
                + "<td class=\"num\">\(answer.bySex.map { String($0.men) } ?? "—")</td>"
                + "<td class=\"num\">\(answer.bySex?.percentWomen?.description ?? "—")</td>"
                + "<td class=\"num\">\(answer.countries.count)</td><td class=\"num\">\(answer.projects.count)</td>"
                + "<td class=\"num\">\(answer.projects.isEmpty ? "—" : Euro.text(cents: answer.totalBudgetCents))</td>"
                + "<td>\(coverageShort(answer.coverage))</td></tr>"
        }
        return out + "</tbody></table>"
    }

    private func answerHTML(_ answer: IndicatorAnswer) -> String {
        var out = "<section class=\"indicator\"><h3>\(HTMLText.escape(answer.code)): \(wordingHTML(answer))</h3>"
        if !answer.wordingChecked, let note = answer.wordingNote {
            out += "<p class=\"note unverified\">Wording not checked against the source: \(HTMLText.escape(note))</p>"
        }
        guard !answer.instruments.isEmpty else { return out + "<p>\(answer.coverageText)</p></section>\n" }
        out +=
            "<p>Plan instruments:</p><ul>"
            + answer.instruments.map { "<li>" + HTMLText.escape("\($0.id): \($0.text)") + "</li>" }.joined() + "</ul>"
        guard answer.coverage != .noData else { return out + "<p>\(answer.coverageText)</p></section>\n" }
        var facts: [String] = []
        if let text = answer.bySexText { facts.append("By sex: \(HTMLText.escape(text))") }
        if let text = answer.numbersText { facts.append("Figures: \(HTMLText.escape(text))") }
        if let text = answer.yesNoText { facts.append("Yes/no: \(HTMLText.escape(text))") }
        if !answer.countries.isEmpty {
            facts.append("Countries: " + HTMLText.escape(answer.countries.map(\.name).joined(separator: ", ")))
        }
        if !answer.projects.isEmpty {
            facts.append("Projects: \(answer.projects.count), budget \(Euro.text(cents: answer.totalBudgetCents))")
        }
        if !facts.isEmpty { out += "<p>In \(year):</p><ul>" + facts.map { "<li>\($0)</li>" }.joined() + "</ul>" }
        if !answer.figures.isEmpty {
            out +=
                "<table><thead><tr><th>Instrument</th><th>Department</th><th>Value</th><th class=\"num\">Women</th>"
                + "<th class=\"num\">Men</th></tr></thead><tbody>"
            for figure in answer.figures {
                out +=
                    "<tr><td>\(HTMLText.escape(figure.instrument))</td><td>\(HTMLText.escape(figure.departmentName))</td>"
                    + "<td>\(HTMLText.escape(figure.valueText))</td><td class=\"num\">\(figure.percentWomen?.description ?? "—")</td>"
                    + "<td class=\"num\">\(figure.percentMen?.description ?? "—")</td></tr>"
            }
            out += "</tbody></table>"
        }
        if !answer.projects.isEmpty {
            out +=
                "<table><thead><tr><th>Date</th><th>Department</th><th>Countries</th><th>Project</th>"
                + "<th class=\"num\">Budget</th></tr></thead><tbody>"
            for project in answer.projects {
                out +=
                    "<tr><td>\(HTMLText.escape(project.date))</td><td>\(HTMLText.escape(project.departmentName))</td>"
                    + "<td>\(HTMLText.escape(ReportText.countries(project.countries)))</td>"
                    + "<td>\(HTMLText.escape(project.description))</td><td class=\"num\">\(ReportText.budget(project.budgetCents))</td></tr>"
            }
            out += "</tbody></table>"
        }
        for item in answer.narrative where !item.text.isEmpty {
            out +=
                "<div class=\"department\"><p><strong>\(HTMLText.escape(item.departmentName))</strong>, line "
                + "\(HTMLText.escape(item.line)) (\(ReportText.status(item.status))):</p>\(HTMLText.paragraphs(item.text))</div>"
        }
        return out + "</section>\n"
    }

    private func quantitativeHTML() -> String {
        let rows = pillars.flatMap { pillar in
            pillar.indicators.flatMap { answer in answer.figures.map { (pillar, answer, $0) } }
        }
        guard !rows.isEmpty else { return "<p>No figures were recorded for \(year) under the mapped instruments.</p>" }
        var out =
            "<table><thead><tr><th>Pillar</th><th>Indicator</th><th>Instrument</th><th>Department</th><th>Value</th>"
            + "<th class=\"num\">Women</th><th class=\"num\">Men</th></tr></thead><tbody>"
        for (pillar, answer, figure) in rows {
            out +=
                "<tr><td>\(HTMLText.escape(pillar.title ?? ""))</td><td>\(HTMLText.escape(answer.code))</td>"
                + "<td>\(HTMLText.escape(figure.instrument))</td><td>\(HTMLText.escape(figure.departmentName))</td>"
                + "<td>\(HTMLText.escape(figure.valueText))</td><td class=\"num\">\(figure.percentWomen?.description ?? "—")</td>"
                + "<td class=\"num\">\(figure.percentMen?.description ?? "—")</td></tr>"
        }
        return out + "</tbody></table><p class=\"note\">\(ReportText.sharesNote)</p>"
    }
}
