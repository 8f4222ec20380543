import NAPModel

extension FigureRow {
    static let csvHeader = [
        "year", "department", "department_name", "line", "instrument", "instrument_text", "kind", "women", "men",
        "unspecified", "total", "percent_women", "percent_men", "number", "answer", "previous_year", "previous_value",
        "change", "total_change", "women_share_change_points", "number_change", "department_last_received",
    ]

    func csvFields(basis: DataBasis) -> [String] {
        [
            String(year), department.rawValue, departmentName, line, instrument, instrumentText, kind.rawValue,
            women.map(String.init) ?? "", men.map(String.init) ?? "", unspecified.map(String.init) ?? "",
            total.map(String.init) ?? "", percentWomen?.plain ?? "", percentMen?.plain ?? "", number ?? "",
            answer.map { $0 ? "yes" : "no" } ?? "", previous.map { String($0.year) } ?? "", previous?.value ?? "",
            previous?.change ?? "", previous?.totalChange.map(String.init) ?? "",
            previous?.womenShareChangeTenths.map { Share.decimal($0) } ?? "", previous?.numberChange ?? "",
            basis.sources.first { $0.owner == department.rawValue }?.lastReceived.map(ReportDate.iso) ?? "never",
        ]
    }
}

extension ParliamentReport {
    /// The annex of all figures of the year as CSV (RFC 4180), one row per department and instrument, with the
    /// derived shares and the change since the previous year. The numbers are plain (`62.5`, no `%`) so a
    /// spreadsheet reads them as numbers.
    public func figuresCSV() -> String {
        var csv = CSVWriter(header: FigureRow.csvHeader + DataBasis.csvHeader)
        let trailer = basis.csvFields(conflicts: conflicts.count)
        for figure in figures { csv.row(figure.csvFields(basis: basis) + trailer) }
        return csv.text
    }
}
