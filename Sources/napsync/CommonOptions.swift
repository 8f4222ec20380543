import ArgumentParser
import Foundation
import Logging
import SyncCore
import SyncServer

/// `--data-dir`, shared by every command that works on a replica.
struct ReplicaOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: ArgumentHelp(
            "The node's data directory.",
            discussion: """
                Defaults to $NAPSYNC_DATA_DIR, else $STATE_DIRECTORY (under systemd), else /var/lib/napsync for the \
                service user who owns it (sudo -u napsync napsync ...), else ~/.local/share/napsync.
                """,
            valueName: "dir"))
    var dataDirectory: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning or error (default: warning; $NAPSYNC_LOG_LEVEL).")
    var logLevel: Logger.Level?

    var directory: URL { DataDirectory.resolve(dataDirectory) }

    func logger(_ label: String = "napsync") -> Logger {
        CommandLogging.bootstrap(level: logLevel)
        return Logger(label: label)
    }

    func openReplica() throws -> Replica {
        do {
            return try Replica.open(at: directory, logger: logger())
        } catch ReplicaError.noReplica(let path) {
            // On a host that runs the service, staff who forget sudo should learn where the department's data is.
            guard let hint = DataDirectory.hintForMissingReplica(in: path, flag: dataDirectory) else {
                throw ReplicaError.noReplica(path: path)
            }
            throw CommandFailure(hint)
        }
    }
}

extension Logger.Level: @retroactive ExpressibleByArgument {}

/// Sets up logging once per process: stderr, so that stdout stays clean for data and journald gets the logs.
enum CommandLogging {
    private static let once: Void = {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = requestedLevel.withLock { $0 }
            return handler
        }
    }()
    private static let requestedLevel = LockedLevel()

    /// For the commands that read the configuration file (`serve`, `sync`): journald-friendly lines at the
    /// configured level. Returns the command's logger.
    static func bootstrapJournal(level: Logger.Level) -> Logger {
        LoggingSystem.bootstrap { label in
            var handler = JournalLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        return Logger(label: "napsync")
    }

    static func bootstrap(level: Logger.Level?) {
        let environment = ProcessInfo.processInfo.environment["NAPSYNC_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        requestedLevel.withLock { $0 = level ?? environment ?? .warning }
        _ = once
    }
}

final class LockedLevel: @unchecked Sendable {
    private let lock = NSLock()
    private var level: Logger.Level = .warning
    func withLock<T>(_ body: (inout Logger.Level) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&level)
    }
}

/// Prints a value as stable JSON on stdout.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    encoder.dateEncodingStrategy = .iso8601
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Writes a message to stderr (progress, notes), keeping stdout for results.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A refusal found while a command runs (not a malformed command line): printed as `Error: message`, exit 1,
/// without a usage line, which would only distract from what to do.
struct CommandFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
