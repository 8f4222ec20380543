/// The formats a report is written in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case md, html, csv, json
}

/// One file of a report: its conventional name and its text. `napsync report` and `napsync demo` both write
/// these, so a report's files are named the same wherever they come from.
public struct ReportFile: Sendable, Hashable {
    public var name: String
    public var text: String
}

extension ParliamentReport {
    /// The parliament report in `formats` (JSON is not a format of this report: it gives the CSV annex).
    public func files(_ formats: [ReportFormat] = [.md, .html, .csv]) -> [ReportFile] {
        formats.map { format in
            switch format {
            case .md: ReportFile(name: "parliament-\(year).md", text: markdown())
            case .html: ReportFile(name: "parliament-\(year).html", text: html())
            case .csv, .json: ReportFile(name: "parliament-\(year)-figures.csv", text: figuresCSV())
            }
        }
    }
}

extension IndicatorResponse {
    /// The EU (`kind` "eu") or UN (`kind` "un") response in `formats`. The EU CSV has a row per indicator; the
    /// UN CSV is the quantitative annex.
    public func files(kind: String, _ formats: [ReportFormat] = ReportFormat.allCases) -> [ReportFile] {
        let stem = "\(kind)-response-\(year)"
        return formats.map { format in
            switch format {
            case .md: ReportFile(name: "\(stem).md", text: markdown())
            case .html: ReportFile(name: "\(stem).html", text: html())
            case .json: ReportFile(name: "\(stem).json", text: json())
            case .csv: kind == "un" ? ReportFile(name: "\(stem)-annex.csv", text: quantitativeCSV()) : ReportFile(name: "\(stem).csv", text: csv())
            }
        }
    }
}
