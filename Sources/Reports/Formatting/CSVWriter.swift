import Foundation

/// CSV as RFC 4180 describes it: CRLF line ends, a header row, and a field quoted (with inner quotes doubled) when
/// it holds a comma, a quote, a CR or an LF.
///
/// A field that starts with `=`, `+`, `-` or `@` is prefixed with an apostrophe so that a spreadsheet does not run
/// it as a formula; numbers we write ourselves (`-1.5`) are passed with `number:` and left alone.
struct CSVWriter {
    private(set) var text = ""

    init(header: [String]) { row(header) }

    mutating func row(_ fields: [String]) {
        text += fields.map(CSVWriter.field).joined(separator: ",") + "\r\n"
    }

    static func field(_ value: String) -> String {
        var value = value
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { value = "'" + value }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\r" || $0 == "\n" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
