import Foundation
import NAPModel

/// The international indicator sets the EU and UN responses are organised by, and the mapping from the plan's
/// monitoring instruments to their indicators.
///
/// The frameworks are data, not code: they ship as `frameworks.json` and a coordinator can point napsync at a
/// replacement file (`--frameworks FILE`) when a wording is corrected or a set is revised, without a new release.
public struct IndicatorFrameworks: Sendable, Hashable, Codable {
    public var formatVersion: Int
    public var frameworks: [Framework]
    public var mappings: [Mapping]

    public init(formatVersion: Int = 1, frameworks: [Framework], mappings: [Mapping]) {
        self.formatVersion = formatVersion
        self.frameworks = frameworks
        self.mappings = mappings
    }

    /// Who defined a framework; decides which response it feeds.
    public enum Body: String, Sendable, Hashable, Codable, CaseIterable {
        case eu = "EU"
        case un = "UN"
    }

    /// One indicator set, such as the EU's 2010 indicators or the UN global indicators of S/2010/498.
    public struct Framework: Sendable, Hashable, Codable {
        public var id: String
        public var body: Body
        public var title: String
        /// The document the set comes from, as a citation a reader can look up.
        public var source: String
        /// Caveats the reports print with the set, e.g. that the list was reconstructed from memory.
        public var note: String?
        /// The first reporting year the set applies to (`2016` for the EU's revised indicators); nil for a set
        /// that applies to any year. Decides which set a response answers when none is named.
        public var appliesFrom: Int?
        /// The pillars indicators are grouped under (the UN's prevention, participation, protection, relief and
        /// recovery), in order; empty for a set without pillars.
        public var pillars: [Pillar]
        public var indicators: [Indicator]

        public init(
            id: String, body: Body, title: String, source: String, note: String? = nil, appliesFrom: Int? = nil,
            pillars: [Pillar] = [], indicators: [Indicator]
        ) {
            self.id = id
            self.body = body
            self.title = title
            self.source = source
            self.note = note
            self.appliesFrom = appliesFrom
            self.pillars = pillars
            self.indicators = indicators
        }
    }

    public struct Pillar: Sendable, Hashable, Codable {
        public var id: String
        public var title: String

        public init(id: String, title: String) {
            self.id = id
            self.title = title
        }
    }

    public struct Indicator: Sendable, Hashable, Codable {
        /// Unique across all frameworks of a file: `EU-5`, `UN-14`.
        public var code: String
        /// The pillar id, for sets with pillars.
        public var pillar: String?
        public var wording: String
        /// False when the wording could not be compared with the source document; reports mark such wordings.
        public var wordingChecked: Bool
        /// Where the wording comes from, or why it could not be checked.
        public var wordingNote: String?

        public init(
            code: String, pillar: String? = nil, wording: String, wordingChecked: Bool, wordingNote: String? = nil
        ) {
            self.code = code
            self.pillar = pillar
            self.wording = wording
            self.wordingChecked = wordingChecked
            self.wordingNote = wordingNote
        }
    }

    /// Which indicators a monitoring instrument of the plan feeds.
    public struct Mapping: Sendable, Hashable, Codable {
        /// `LINE/N`, e.g. `23.b/2`.
        public var instrument: String
        public var indicators: [String]
        /// Why the instrument answers the indicator, where it is not obvious.
        public var note: String?

        public init(instrument: String, indicators: [String], note: String? = nil) {
            self.instrument = instrument
            self.indicators = indicators
            self.note = note
        }
    }

    /// The first framework of a body in the file, or the one with `id`.
    public func framework(_ body: Body, id: String? = nil) -> Framework? {
        if let id { return frameworks.first { $0.id == id && $0.body == body } }
        return frameworks.first { $0.body == body }
    }

    /// The framework a response for `year` answers when none is named, and why.
    public struct Choice: Sendable, Hashable {
        public var framework: Framework
        /// More recent frameworks of the body that apply to the year but list no indicators, so were passed over.
        public var passedOver: [Framework]
    }

    /// Of the frameworks of `body` that apply to `year` (`appliesFrom` not after it), the most recent one that lists
    /// indicators, in file order among frameworks applying from the same year; nil when there is none. The EU's
    /// 2016 revision thus answers for 2016 and later once its indicators are in the file, and the 2010 set until
    /// then.
    public func defaultFramework(_ body: Body, year: Int) -> Choice? {
        let applying = frameworks.enumerated()
            .filter { $0.element.body == body && ($0.element.appliesFrom ?? Int.min) <= year }
            .sorted { first, second in
                let (a, b) = (first.element.appliesFrom ?? Int.min, second.element.appliesFrom ?? Int.min)
                return a != b ? a > b : first.offset < second.offset
            }
            .map(\.element)
        guard let index = applying.firstIndex(where: { !$0.indicators.isEmpty }) else { return nil }
        return Choice(framework: applying[index], passedOver: Array(applying[..<index]))
    }

    /// The instruments mapped to an indicator, in file order.
    public func instruments(for code: String) -> [String] {
        mappings.filter { $0.indicators.contains(code) }.map(\.instrument)
    }
}

extension IndicatorFrameworks {
    /// The frameworks file shipped with napsync.
    public static func bundled() throws(FrameworkError) -> IndicatorFrameworks {
        let name = "the bundled frameworks.json"
        guard let url = Bundle.module.url(forResource: "frameworks", withExtension: "json") else {
            throw FrameworkError(file: name, problems: ["the file is missing from the installation; reinstall napsync"])
        }
        return try load(from: url, name: name)
    }

    /// Reads and checks a frameworks file. Every problem found is reported at once, each naming its entry.
    /// Instrument ids are checked against a plan separately, by `validate(against:)`.
    public static func load(from url: URL) throws(FrameworkError) -> IndicatorFrameworks {
        try load(from: url, name: url.path)
    }

    /// Reads a frameworks file and checks its mapping against the plan.
    public static func load(from url: URL, plan: Plan) throws(FrameworkError) -> IndicatorFrameworks {
        let frameworks = try load(from: url)
        try frameworks.validate(against: plan, file: url.path)
        return frameworks
    }

    static func load(from url: URL, name: String) throws(FrameworkError) -> IndicatorFrameworks {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw FrameworkError(file: name, problems: ["the file cannot be read (\(error.localizedDescription))"])
        }
        return try parse(data, name: name)
    }

    /// Checks that every mapped instrument exists in the plan.
    public func validate(against plan: Plan, file: String = "frameworks.json") throws(FrameworkError) {
        let problems = mappings.compactMap { mapping in
            plan.instrument(mapping.instrument) == nil
                ? "mapping \(mapping.instrument): unknown instrument (not in plan \(plan.id); ids look like 23.b/2)"
                : nil
        }
        if !problems.isEmpty { throw FrameworkError(file: file, problems: problems) }
    }
}
