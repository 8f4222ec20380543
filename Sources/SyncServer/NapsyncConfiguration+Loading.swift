import Configuration
import Foundation
import Logging
import SystemPackage
import Yams

extension NapsyncConfiguration {
    /// Every configuration key: its place in the YAML file, its environment variable and its `serve` flag.
    public enum Key: String, Sendable, CaseIterable {
        case dataDirectory = "data-dir"
        case host = "listen.host"
        case port = "listen.port"
        case peers = "peers"
        case syncInterval = "sync.interval"
        case chunkSize = "sync.chunk-size"
        case maxBodyBytes = "sync.max-body-bytes"
        case requestTimeout = "sync.request-timeout"
        case backoffMinimum = "backoff.min"
        case backoffMaximum = "backoff.max"
        case logLevel = "log.level"
        case tlsCertificate = "tls.certificate"
        case tlsKey = "tls.key"
        case tlsCA = "tls.ca"

        /// The dotted path in the configuration file.
        public var fileKey: String { rawValue }

        /// `NAPSYNC_` followed by the file key in upper case, with `.` and `-` as `_`.
        public var environmentVariable: String {
            "NAPSYNC_" + rawValue.uppercased().map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        }
    }

    /// Environment variable naming the configuration file.
    public static let configFileVariable = "NAPSYNC_CONFIG"
    public static let configFileName = "napsync.yaml"

    /// Files tried, in order, when no configuration file is named: systemd's `ConfigurationDirectory`, the user's
    /// XDG configuration directory, then `/etc/napsync`.
    public static func defaultConfigFiles(environment: [String: String]) -> [String] {
        var files: [String] = []
        if let directory = environment["CONFIGURATION_DIRECTORY"]?.split(separator: ":").first {
            files.append("\(directory)/\(configFileName)")
        }
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            files.append("\(xdg)/napsync/\(configFileName)")
        } else if let home = environment["HOME"], !home.isEmpty {
            files.append("\(home)/.config/napsync/\(configFileName)")
        }
        files.append("/etc/napsync/\(configFileName)")
        return files
    }

    /// The data directory when none is configured: systemd's `StateDirectory` when run as a service, else
    /// `$XDG_DATA_HOME/napsync` or `~/.local/share/napsync`.
    public static func defaultDataDirectory(environment: [String: String]) -> URL {
        if let state = environment["STATE_DIRECTORY"]?.split(separator: ":").first {
            return URL(fileURLWithPath: String(state), isDirectory: true)
        }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("napsync", isDirectory: true)
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return URL(fileURLWithPath: home, isDirectory: true)
            .appendingPathComponent(".local/share/napsync", isDirectory: true)
    }

    /// Builds the configuration from, highest precedence first: `overrides` (command-line flags), `NAPSYNC_*`
    /// environment variables, the configuration file, then the defaults.
    ///
    /// - Parameters:
    ///   - configFile: a file named on the command line; it must exist. Without it, `NAPSYNC_CONFIG` is used (it
    ///     must exist too), else the first of ``defaultConfigFiles(environment:)`` that exists, else none.
    ///   - overrides: values from flags, as text, by key; `peers` as a comma-separated list.
    public static func load(
        configFile: String? = nil,
        overrides: [Key: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws -> NapsyncConfiguration {
        let explicit = configFile ?? environment[configFileVariable].flatMap { $0.isEmpty ? nil : $0 }
        let file: String?
        if let explicit {
            guard FileManager.default.isReadableFile(atPath: explicit) else {
                throw ConfigurationError.unreadableFile(path: explicit, reason: "no such readable file")
            }
            file = explicit
        } else {
            file = defaultConfigFiles(environment: environment).first { FileManager.default.isReadableFile(atPath: $0) }
        }

        var providers: [any ConfigProvider] = []
        var flagValues: [AbsoluteConfigKey: ConfigValue] = [:]
        for (key, value) in overrides {
            let content: ConfigContent =
                key == .peers ? .stringArray(splitList(value)) : .string(value)
            flagValues[AbsoluteConfigKey(ConfigKey(key.fileKey))] = ConfigValue(content, isSecret: false)
        }
        providers.append(InMemoryProvider(name: "flags", values: flagValues))
        let napsyncEnvironment = environment.filter { $0.key.hasPrefix("NAPSYNC_") && $0.key != configFileVariable }
        providers.append(
            EnvironmentVariablesProvider(environmentVariables: napsyncEnvironment).prefixKeys(with: "napsync"))
        if let file {
            try checkKnownKeys(file: file)
            do {
                providers.append(try await FileProvider<YAMLSnapshot>(filePath: FilePath(file)))
            } catch {
                throw ConfigurationError.unreadableFile(path: file, reason: String(describing: error))
            }
        }
        let reader = ConfigReader(providers: providers)

        var configuration = NapsyncConfiguration(dataDirectory: defaultDataDirectory(environment: environment))
        configuration.configFile = file
        if let dir = reader.string(forKey: ConfigKey(Key.dataDirectory.fileKey)), !dir.isEmpty {
            let expanded = dir.hasPrefix("~/") ? (environment["HOME"] ?? NSHomeDirectory()) + dir.dropFirst() : dir
            configuration.dataDirectory = URL(fileURLWithPath: expanded, isDirectory: true)
        }
        if let host = reader.string(forKey: ConfigKey(Key.host.fileKey)) { configuration.host = host }
        if let port = try readInt(reader, .port) { configuration.port = port }
        if let peers = reader.stringArray(forKey: ConfigKey(Key.peers.fileKey)) {
            configuration.peers = peers.flatMap(splitList)
        } else if let peers = reader.string(forKey: ConfigKey(Key.peers.fileKey)) {
            configuration.peers = splitList(peers)
        }
        if let value = try readDuration(reader, .syncInterval) { configuration.syncInterval = value }
        if let value = try readInt(reader, .chunkSize) { configuration.chunkSize = value }
        if let value = try readInt(reader, .maxBodyBytes) { configuration.maxBodyBytes = value }
        if let value = try readDuration(reader, .requestTimeout) { configuration.requestTimeout = value }
        if let value = try readDuration(reader, .backoffMinimum) { configuration.backoffMinimum = value }
        if let value = try readDuration(reader, .backoffMaximum) { configuration.backoffMaximum = value }
        if let text = reader.string(forKey: ConfigKey(Key.logLevel.fileKey)) {
            guard let level = Logger.Level(rawValue: text.lowercased()) else {
                throw ConfigurationError.invalid(
                    key: Key.logLevel.fileKey, value: text,
                    expected: "one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            configuration.logLevel = level
        }
        for (key, path) in [
            (Key.tlsCertificate, \NapsyncConfiguration.tlsCertificate), (.tlsKey, \.tlsKey), (.tlsCA, \.tlsCA),
        ] {
            if let text = reader.string(forKey: ConfigKey(key.fileKey)), !text.isEmpty {
                configuration[keyPath: path] = expandHome(text, environment: environment)
            }
        }
        try configuration.validate()
        return configuration
    }

    private static func expandHome(_ path: String, environment: [String: String]) -> String {
        path.hasPrefix("~/") ? (environment["HOME"] ?? NSHomeDirectory()) + path.dropFirst() : path
    }

    private static func splitList(_ text: String) -> [String] {
        text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init).filter { !$0.isEmpty }
    }

    private static func readInt(_ reader: ConfigReader, _ key: Key) throws -> Int? {
        guard let text = reader.string(forKey: ConfigKey(key.fileKey)) else { return nil }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw ConfigurationError.invalid(key: key.fileKey, value: text, expected: "an integer")
        }
        return value
    }

    private static func readDuration(_ reader: ConfigReader, _ key: Key) throws -> Duration? {
        guard let text = reader.string(forKey: ConfigKey(key.fileKey)) else { return nil }
        guard let value = parseDuration(text) else {
            throw ConfigurationError.invalid(
                key: key.fileKey, value: text, expected: "a duration such as 30, 30s, 1500ms, 5m or 1h")
        }
        return value
    }

    /// A misspelt key would otherwise be silently ignored; refuse the file instead.
    static func checkKnownKeys(file: String) throws {
        let text: String
        do {
            text = try String(contentsOfFile: file, encoding: .utf8)
        } catch {
            throw ConfigurationError.unreadableFile(path: file, reason: String(describing: error))
        }
        let node: Yams.Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch {
            throw ConfigurationError.unreadableFile(path: file, reason: "not valid YAML: \(error)")
        }
        guard let node else { return }
        guard case .mapping(let mapping) = node else {
            throw ConfigurationError.unreadableFile(path: file, reason: "the top level must be a mapping of keys")
        }
        let known = Set(Key.allCases.map(\.fileKey))
        var unknown: [String] = []
        func walk(_ mapping: Yams.Node.Mapping, prefix: String) {
            for (keyNode, valueNode) in mapping {
                let key = prefix.isEmpty ? (keyNode.string ?? "?") : "\(prefix).\(keyNode.string ?? "?")"
                if known.contains(key) { continue }
                if case .mapping(let inner) = valueNode, known.contains(where: { $0.hasPrefix(key + ".") }) {
                    walk(inner, prefix: key)
                } else {
                    unknown.append(key)
                }
            }
        }
        walk(mapping, prefix: "")
        guard unknown.isEmpty else { throw ConfigurationError.unknownKeys(path: file, keys: unknown.sorted()) }
    }
}
