import Foundation

/// A target an issue sets for a ratio.
public struct Target: Sendable {
    public enum Bound: Sendable {
        case atMost(Double)
        case atLeast(Double)
    }

    public var bound: Bound

    public static func atMost(_ value: Double) -> Target { Target(bound: .atMost(value)) }
    public static func atLeast(_ value: Double) -> Target { Target(bound: .atLeast(value)) }

    public func isMet(by value: Double) -> Bool {
        switch bound {
        case .atMost(let limit): value <= limit
        case .atLeast(let limit): value >= limit
        }
    }

    public var text: String {
        switch bound {
        case .atMost(let limit): "≤ \(Format.ratio(limit))"
        case .atLeast(let limit): "≥ \(Format.ratio(limit))"
        }
    }
}

/// One line of the report: a figure, its baseline from the same run, their ratio and the verdict.
public struct ReportRow: Sendable {
    public enum Verdict: String, Sendable {
        case met = "met"
        case missed = "MISSED"
        case info = "-"
    }

    public var id: String
    public var name: String
    /// What napsync did.
    public var figure: String
    /// What the baseline did, measured in the same run.
    public var baseline: String
    /// figure / baseline in the sense the target uses (time ratio, throughput ratio, size ratio).
    public var ratio: Double?
    /// The lowest and highest per-round ratio, to show the noise.
    public var spread: (low: Double, high: Double)?
    public var target: String
    public var verdict: Verdict
    /// Peak resident memory rise while napsync's side ran, where measured.
    public var memory: String

    public init(
        id: String, name: String, figure: String, baseline: String, ratio: Double? = nil,
        spread: (low: Double, high: Double)? = nil, target: Target? = nil, memory: String = "", verdict: Verdict? = nil
    ) {
        self.id = id
        self.name = name
        self.figure = figure
        self.baseline = baseline
        self.ratio = ratio
        self.spread = spread
        self.target = target?.text ?? "-"
        self.memory = memory
        if let verdict {
            self.verdict = verdict
        } else if let target, let ratio {
            self.verdict = target.isMet(by: ratio) ? .met : .missed
        } else {
            self.verdict = .info
        }
    }

    /// A row whose target is not a ratio (a size limit, say); the caller states target and verdict.
    public init(id: String, name: String, figure: String, baseline: String, ratio: Double? = nil, target: String, met: Bool, memory: String = "") {
        self.init(id: id, name: name, figure: figure, baseline: baseline, ratio: ratio, memory: memory, verdict: met ? .met : .missed)
        self.target = target
    }

    var ratioText: String {
        guard let ratio else { return "-" }
        guard let spread else { return Format.ratio(ratio) }
        return "\(Format.ratio(ratio)) [\(Format.ratio(spread.low))-\(Format.ratio(spread.high))]"
    }
}

/// Renders rows as an aligned text table or as Markdown.
public enum ReportTable {
    static let headers = ["#", "benchmark", "napsync", "baseline (same run)", "ratio [round min-max]", "target", "verdict", "peak RSS rise"]

    static func cells(_ row: ReportRow) -> [String] {
        [row.id, row.name, row.figure, row.baseline, row.ratioText, row.target, row.verdict.rawValue, row.memory.isEmpty ? "-" : row.memory]
    }

    public static func text(_ rows: [ReportRow]) -> String {
        let table = [headers] + rows.map(cells)
        let widths = headers.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            zip(cells, widths).map { $0 + String(repeating: " ", count: $1 - $0.count) }.joined(separator: "  ")
                .replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
        let rule = widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")
        return ([line(headers), rule] + rows.map { line(cells($0)) }).joined(separator: "\n")
    }

    public static func markdown(_ rows: [ReportRow]) -> String {
        func line(_ cells: [String]) -> String { "| " + cells.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }
        let rule = "|" + headers.map { _ in "---" }.joined(separator: "|") + "|"
        return ([line(headers), rule] + rows.map { line(cells($0)) }).joined(separator: "\n")
    }
}

/// Number formatting for the report.
public enum Format {
    public static func ratio(_ value: Double) -> String { fixed(value, 2) }

    public static func duration(_ seconds: Double) -> String {
        switch seconds {
        case ..<1e-6: "\(fixed(seconds * 1e9, 0)) ns"
        case ..<1e-3: "\(fixed(seconds * 1e6, seconds < 1e-5 ? 2 : 1)) µs"
        case ..<1: "\(fixed(seconds * 1e3, seconds < 1e-2 ? 2 : 1)) ms"
        default: "\(fixed(seconds, 2)) s"
        }
    }

    public static func rate(_ perSecond: Double) -> String {
        switch perSecond {
        case 1e6...: "\(fixed(perSecond / 1e6, 2))M/s"
        case 1e3...: "\(fixed(perSecond / 1e3, 1))k/s"
        default: "\(fixed(perSecond, 0))/s"
        }
    }

    public static func bytes(_ count: Int) -> String {
        switch count {
        case ..<10_000: "\(count) B"
        case ..<10_000_000: "\(fixed(Double(count) / 1e3, 1)) kB"
        default: "\(fixed(Double(count) / 1e6, 1)) MB"
        }
    }

    public static func memory(_ bytes: Int?) -> String {
        guard let bytes else { return "" }
        return "+\(fixed(Double(bytes) / 1_048_576, 1)) MiB"
    }

    /// A size in MiB, without the sign `memory` gives a rise.
    public static func mebibytes(_ bytes: Int?) -> String {
        bytes.map { "\(fixed(Double($0) / 1_048_576, 1)) MiB" } ?? "n/a"
    }

    public static func fixed(_ value: Double, _ digits: Int) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "n/a"
    }
}
