/// Money as the reports show it. Amounts are held in euro cents (never floating point) and formatted here,
/// without a locale, so every machine prints the same bytes.
public enum Euro {
    /// `€1,234.56`: the form used in the Markdown and HTML reports.
    public static func text(cents: Int64) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let euros = magnitude / 100
        let rest = magnitude % 100
        return "\(sign)€\(grouped(euros)).\(rest < 10 ? "0" : "")\(rest)"
    }

    /// `1234.56`: the form used in CSV and JSON, which a spreadsheet reads as a number.
    public static func plain(cents: Int64) -> String {
        let sign = cents < 0 ? "-" : ""
        let magnitude = cents.magnitude
        let rest = magnitude % 100
        return "\(sign)\(magnitude / 100).\(rest < 10 ? "0" : "")\(rest)"
    }

    /// Thousands separated by commas.
    static func grouped(_ value: UInt64) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
