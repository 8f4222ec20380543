import Foundation

extension IndicatorFrameworks {
    /// The format version this build reads.
    public static let currentFormatVersion = 1

    /// Parses a frameworks file by hand rather than with `Decodable`, so that each problem can name the entry it
    /// is in (`indicator EU-5: missing wording`) instead of a coding path.
    static func parse(_ data: Data, name: String) throws(FrameworkError) -> IndicatorFrameworks {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: data)
        } catch {
            throw FrameworkError(file: name, problems: ["the file is not valid JSON (\(error.localizedDescription))"])
        }
        var parser = Parser()
        let result = parser.file(root)
        if let result, parser.problems.isEmpty { return result }
        throw FrameworkError(file: name, problems: parser.problems)
    }

    private struct Parser {
        var problems: [String] = []

        mutating func file(_ root: Any) -> IndicatorFrameworks? {
            guard let object = root as? [String: Any] else {
                problems.append("the top level must be an object with formatVersion, frameworks and mappings")
                return nil
            }
            let version = object["formatVersion"] as? Int
            if version != IndicatorFrameworks.currentFormatVersion {
                problems.append(
                    "formatVersion must be \(IndicatorFrameworks.currentFormatVersion) "
                        + "(found \(object["formatVersion"].map { "\($0)" } ?? "none"))")
            }
            guard let rawFrameworks = object["frameworks"] as? [Any] else {
                problems.append("frameworks: missing list of frameworks")
                return nil
            }
            let frameworks = rawFrameworks.enumerated().compactMap { framework($1, position: $0 + 1) }
            var seenFrameworks = Set<String>()
            for framework in frameworks where !seenFrameworks.insert(framework.id).inserted {
                problems.append("framework \(framework.id): appears twice")
            }
            var codes = Set<String>()
            for framework in frameworks {
                for indicator in framework.indicators where !codes.insert(indicator.code).inserted {
                    problems.append(
                        "indicator \(indicator.code): code used twice (codes must be unique across frameworks)")
                }
            }
            let rawMappings = object["mappings"] as? [Any]
            if object["mappings"] != nil && rawMappings == nil { problems.append("mappings: must be a list") }
            var mappings: [Mapping] = []
            var seenInstruments = Set<String>()
            for (index, raw) in (rawMappings ?? []).enumerated() {
                guard let mapping = mapping(raw, position: index + 1, codes: codes) else { continue }
                if !seenInstruments.insert(mapping.instrument).inserted {
                    problems.append(
                        "mapping \(mapping.instrument): instrument mapped twice; list all its indicators in one entry")
                }
                mappings.append(mapping)
            }
            return IndicatorFrameworks(formatVersion: version ?? 0, frameworks: frameworks, mappings: mappings)
        }

        mutating func framework(_ raw: Any, position: Int) -> Framework? {
            guard let object = raw as? [String: Any] else {
                problems.append("framework #\(position): must be an object")
                return nil
            }
            guard let id = text(object["id"]) else {
                problems.append("framework #\(position): missing id")
                return nil
            }
            let entry = "framework \(id)"
            let body = (object["body"] as? String).flatMap(Body.init(rawValue:))
            if body == nil {
                problems.append(
                    "\(entry): body must be one of \(Body.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let title = required(object["title"], "\(entry): missing title")
            let source = required(object["source"], "\(entry): missing source")
            let appliesFrom = object["appliesFrom"] as? Int
            if object["appliesFrom"] != nil && appliesFrom == nil {
                problems.append(
                    "\(entry): appliesFrom must be a year, the first reporting year the set applies to (e.g. 2016)")
            }
            var pillars: [Pillar] = []
            for (index, rawPillar) in ((object["pillars"] as? [Any]) ?? []).enumerated() {
                guard let pillar = rawPillar as? [String: Any], let pillarID = text(pillar["id"]),
                    let pillarTitle = text(pillar["title"])
                else {
                    problems.append("\(entry), pillar #\(index + 1): needs an id and a title")
                    continue
                }
                pillars.append(Pillar(id: pillarID, title: pillarTitle))
            }
            guard let rawIndicators = object["indicators"] as? [Any] else {
                problems.append("\(entry): missing list of indicators")
                return nil
            }
            let pillarIDs = Set(pillars.map(\.id))
            let indicators = rawIndicators.enumerated().compactMap { index, raw in
                indicator(raw, framework: id, position: index + 1, pillars: pillarIDs)
            }
            guard let body, let title, let source else { return nil }
            return Framework(
                id: id, body: body, title: title, source: source, note: text(object["note"]), appliesFrom: appliesFrom,
                pillars: pillars, indicators: indicators)
        }

        mutating func indicator(_ raw: Any, framework: String, position: Int, pillars: Set<String>) -> Indicator? {
            guard let object = raw as? [String: Any] else {
                problems.append("framework \(framework), indicator #\(position): must be an object")
                return nil
            }
            guard let code = text(object["code"]) else {
                problems.append("framework \(framework), indicator #\(position): missing code")
                return nil
            }
            let entry = "indicator \(code)"
            let wording = required(object["wording"], "\(entry): missing wording")
            let checked = object["wordingChecked"] as? Bool
            if checked == nil {
                problems.append(
                    "\(entry): wordingChecked must be true or false (false when not checked against the source)")
            }
            let pillar = text(object["pillar"])
            if !pillars.isEmpty {
                if let pillar, !pillars.contains(pillar) {
                    problems.append(
                        "\(entry): unknown pillar '\(pillar)' (pillars: \(pillars.sorted().joined(separator: ", ")))")
                } else if pillar == nil {
                    problems.append("\(entry): missing pillar")
                }
            }
            guard let wording, let checked else { return nil }
            return Indicator(
                code: code, pillar: pillar, wording: wording, wordingChecked: checked,
                wordingNote: text(object["wordingNote"]))
        }

        mutating func mapping(_ raw: Any, position: Int, codes: Set<String>) -> Mapping? {
            guard let object = raw as? [String: Any], let instrument = text(object["instrument"]) else {
                problems.append("mapping #\(position): missing instrument")
                return nil
            }
            let entry = "mapping \(instrument)"
            guard let indicators = object["indicators"] as? [String], !indicators.isEmpty else {
                problems.append("\(entry): indicators must be a non-empty list of indicator codes")
                return nil
            }
            for code in indicators where !codes.contains(code) {
                problems.append("\(entry): unknown indicator code \(code)")
            }
            return Mapping(instrument: instrument, indicators: indicators, note: text(object["note"]))
        }

        private mutating func required(_ value: Any?, _ problem: String) -> String? {
            guard let value = text(value) else {
                problems.append(problem)
                return nil
            }
            return value
        }

        /// Non-blank text, trimmed.
        private func text(_ value: Any?) -> String? {
            guard let string = value as? String else { return nil }
            let trimmed = string.trimmingCharacters(in: .whitespacesAndNewlines)
            return trimmed.isEmpty ? nil : trimmed
        }
    }
}
