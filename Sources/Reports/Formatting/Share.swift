/// A share of a total in tenths of a percent, computed with integer arithmetic so that reports are identical on
/// every machine (no floating point rounding).
public struct Share: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    /// Tenths of a percent: 625 is 62.5%.
    public var tenths: Int64

    public init(tenths: Int64) { self.tenths = tenths }

    /// `part` of `total`, rounded half away from zero; nil when the total is zero.
    public init?(_ part: Int64, of total: Int64) {
        guard total > 0 else { return nil }
        tenths = (part * 1000 + total / 2) / total
    }

    /// `62.5%`.
    public var description: String { "\(Share.decimal(tenths))%" }

    /// `62.5`, for CSV and JSON.
    public var plain: String { Share.decimal(tenths) }

    /// A change in percentage points: `+2.5 points`, `-0.4 points`, `no change`.
    public static func pointsChange(from old: Share, to new: Share) -> String {
        let delta = new.tenths - old.tenths
        if delta == 0 { return "no change" }
        return "\(delta > 0 ? "+" : "-")\(decimal(delta.magnitude)) points"
    }

    static func decimal(_ tenths: Int64) -> String {
        let sign = tenths < 0 ? "-" : ""
        return sign + decimal(tenths.magnitude)
    }

    static func decimal(_ tenths: UInt64) -> String { "\(tenths / 10).\(tenths % 10)" }

    public static func < (lhs: Share, rhs: Share) -> Bool { lhs.tenths < rhs.tenths }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        tenths = Int64((try container.decode(Double.self) * 10).rounded())
    }

    /// Encoded as a JSON number with one decimal (`62.5`).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(Double(tenths) / 10)
    }
}
