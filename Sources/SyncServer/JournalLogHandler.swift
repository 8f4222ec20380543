#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation
import Logging
import Synchronization

/// A `LogHandler` for daemons: one line per event on stderr, metadata as sorted `key=value` pairs, no colours.
///
/// Under systemd (`JOURNAL_STREAM` set) each line starts with the syslog priority as `<N>` (journald reads it and
/// drops it) and carries no timestamp (journald adds its own). Otherwise lines start with an ISO 8601 timestamp.
///
/// ```
/// <5>napsync: peer unreachable error="peer unreachable: connection refused" napsync.failures=1 napsync.peer=http://...
/// ```
public struct JournalLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let journal: Bool
    let sink: @Sendable (String) -> Void

    /// - Parameters:
    ///   - journal: whether to write `<N>` priority prefixes; defaults to whether `JOURNAL_STREAM` is set.
    ///   - sink: where lines go; stderr by default.
    public init(
        label: String,
        journal: Bool = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil,
        metadataProvider: Logger.MetadataProvider? = nil,
        sink: @escaping @Sendable (String) -> Void = JournalLogHandler.writeToStderr
    ) {
        self.label = label
        self.journal = journal
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { _, new in new } }
        if let extra = event.metadata { all.merge(extra) { _, new in new } }
        sink(format(level: event.level, message: "\(event.message)", metadata: all))
    }

    func format(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = ""
        if journal {
            line += "<\(Self.syslogPriority(level))>"
        } else {
            line += Self.timestamp() + " " + level.rawValue.uppercased() + " "
        }
        line += label + ": " + Self.singleLine(message)
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            line += " " + key + "=" + Self.quoted(Self.flatten(value))
        }
        return line + "\n"
    }

    /// syslog(3) priorities journald understands.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    static func flatten(_ value: Logger.Metadata.Value) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let array): "[" + array.map(flatten).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            "{" + dictionary.sorted { $0.key < $1.key }.map { "\($0.key):\(flatten($0.value))" }.joined(separator: ",")
                + "}"
        }
    }

    /// Quotes values with spaces, quotes or `=`, so every pair stays one token.
    static func quoted(_ text: String) -> String {
        let flat = singleLine(text)
        guard flat.isEmpty || flat.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return flat }
        return "\"" + flat.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// One event, one line: journald would split a multi-line message into several entries.
    static func singleLine(_ text: String) -> String {
        guard text.contains(where: \.isNewline) else { return text }
        return text.split(whereSeparator: \.isNewline).joined(separator: " | ")
    }

    static func timestamp() -> String {
        Date().formatted(
            .iso8601.year().month().day().dateSeparator(.dash).time(includingFractionalSeconds: true)
                .timeSeparator(.colon).timeZone(separator: .omitted))
    }

    private static let stderrLock = Mutex(())

    public static let writeToStderr: @Sendable (String) -> Void = { line in
        stderrLock.withLock { _ in
            var bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes.withUnsafeMutableBytes { buffer in
                    write(2, buffer.baseAddress! + offset, buffer.count - offset)
                }
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
