import Foundation

/// Dates as the reports print them, always in UTC so a report made in Brussels and one made on a server agree.
enum ReportDate {
    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    /// `2015-01-31 09:05 UTC`.
    static func dateTime(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return "\(day(parts)) \(two(parts.hour ?? 0)):\(two(parts.minute ?? 0)) UTC"
    }

    /// `2015-01-31`.
    static func day(_ date: Date) -> String { day(calendar.dateComponents([.year, .month, .day], from: date)) }

    /// `2015-01-31T09:05:00Z`: for JSON and CSV.
    static func iso(_ date: Date) -> String {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return "\(day(parts))T\(two(parts.hour ?? 0)):\(two(parts.minute ?? 0)):\(two(parts.second ?? 0))Z"
    }

    /// Whole days from `earlier` to `later`, rounded down.
    static func days(from earlier: Date, to later: Date) -> Int {
        Int((later.timeIntervalSince(earlier) / 86_400).rounded(.down))
    }

    private static func day(_ parts: DateComponents) -> String {
        let year = parts.year ?? 0
        return "\(year < 1000 ? String(repeating: "0", count: 4 - String(year).count) : "")\(year)-"
            + "\(two(parts.month ?? 0))-\(two(parts.day ?? 0))"
    }

    private static func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
