import Foundation

/// What a coordinator chooses when making a report. Nothing in a report depends on the current time: the time a
/// report is "made at" comes from here or, by default, from the snapshot.
public struct ReportOptions: Sendable, Hashable {
    /// The reporting year.
    public var year: Int
    /// A department whose data last arrived more than this many days before the report is flagged at the top.
    public var staleAfterDays: Int
    /// When the report is made; nil means when the snapshot was taken.
    public var madeAt: Date?
    /// The EU framework to answer (`eu-2010`, `eu-2016`); nil means the most recent EU framework in the frameworks
    /// file that applies to `year` and lists indicators.
    public var euFramework: String?
    /// The UN framework to answer; nil means the most recent UN framework that applies to `year` and lists
    /// indicators.
    public var unFramework: String?

    public static let defaultStaleAfterDays = 30

    public init(
        year: Int, staleAfterDays: Int = ReportOptions.defaultStaleAfterDays, madeAt: Date? = nil,
        euFramework: String? = nil, unFramework: String? = nil
    ) {
        self.year = year
        self.staleAfterDays = staleAfterDays
        self.madeAt = madeAt
        self.euFramework = euFramework
        self.unFramework = unFramework
    }
}
