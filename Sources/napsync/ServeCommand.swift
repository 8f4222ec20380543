import ArgumentParser
import Foundation
import Logging
import NAPModel
import SyncCore
import SyncServer

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run this node as a daemon: serve the sync protocol over HTTP and sync with peers on a schedule.",
        discussion: """
            Settings come from, highest first: these flags, NAPSYNC_* environment variables, the configuration
            file (--config, else $NAPSYNC_CONFIG, else $CONFIGURATION_DIRECTORY/napsync.yaml,
            ~/.config/napsync/napsync.yaml or /etc/napsync/napsync.yaml), then built-in defaults
            (127.0.0.1:7325, no peers). See docs/configuration.md.

            Examples:
              napsync serve --data-dir /var/lib/napsync --peer http://coordinator.example.be:7325
              napsync serve --department defence     # creates the replica on first start
              napsync serve --host 0.0.0.0 --tls-certificate node.pem --tls-key node.key --tls-ca network-ca.pem

            Exits 78 on a configuration error, 1 on other errors. SIGTERM stops it gracefully.
            """)

    @Option(name: .customLong("config"), help: ArgumentHelp("The configuration file (YAML).", valueName: "file"))
    var configFile: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The node's data directory.", valueName: "dir"))
    var dataDirectory: String?

    @Option(help: "Address to listen on (default 127.0.0.1).") var host: String?
    @Option(help: "Port to listen on (default 7325; 0 picks a free one).") var port: Int?

    @Option(
        name: .customLong("peer"),
        help: ArgumentHelp("A peer's base URL; repeatable. Replaces configured peers.", valueName: "url"))
    var peers: [String] = []

    @Option(help: ArgumentHelp("Time between syncs with a reachable peer, e.g. 60s or 5m.", valueName: "duration"))
    var syncInterval: String?

    @Option(help: "Most changes per change set.") var chunkSize: Int?
    @Option(help: ArgumentHelp("First retry delay for an unreachable peer.", valueName: "duration")) var backoffMin:
        String?
    @Option(help: ArgumentHelp("Longest retry delay for an unreachable peer.", valueName: "duration")) var backoffMax:
        String?
    @Option(help: "trace, debug, info, notice, warning, error or critical (default info).") var logLevel: String?

    @Option(help: ArgumentHelp("PEM certificate chain to serve HTTPS with (needs --tls-key).", valueName: "file"))
    var tlsCertificate: String?
    @Option(help: ArgumentHelp("PEM private key of --tls-certificate.", valueName: "file")) var tlsKey: String?
    @Option(
        help: ArgumentHelp("PEM bundle of CAs trusted for https:// peers (default: the system's).", valueName: "file"))
    var tlsCa: String?

    @Option(
        help:
            "Create a replica for this department if the data directory holds none ($NAPSYNC_DEPARTMENT; the value coordinator creates the coordinator)."
    )
    var department: String?

    @Flag(help: "Create a coordinator replica if the data directory holds none.")
    var coordinator = false

    func validate() throws {
        if department != nil && coordinator {
            throw ValidationError("give --department NAME or --coordinator, not both")
        }
        if let department, department != "coordinator" {
            do { _ = try Department(parsing: department) } catch { throw ValidationError(error.description) }
        }
    }

    func run() async throws {
        var overrides: [NapsyncConfiguration.Key: String] = [:]
        overrides[.dataDirectory] = dataDirectory
        overrides[.host] = host
        overrides[.port] = port.map(String.init)
        overrides[.peers] = peers.isEmpty ? nil : peers.joined(separator: ",")
        overrides[.syncInterval] = syncInterval
        overrides[.chunkSize] = chunkSize.map(String.init)
        overrides[.backoffMinimum] = backoffMin
        overrides[.backoffMaximum] = backoffMax
        overrides[.logLevel] = logLevel
        overrides[.tlsCertificate] = tlsCertificate
        overrides[.tlsKey] = tlsKey
        overrides[.tlsCA] = tlsCa

        let configuration: NapsyncConfiguration
        do {
            configuration = try await NapsyncConfiguration.load(configFile: configFile, overrides: overrides)
            _ = try NapsyncTLS(configuration: configuration)  // unreadable TLS files are a configuration error
        } catch {
            printError("napsync serve: \(error)")
            throw ExitCode(78)  // EX_CONFIG: systemd's RestartPreventExitStatus keeps it from restarting in a loop
        }
        let logger = CommandLogging.bootstrapJournal(level: configuration.logLevel)

        let replica: Replica
        do {
            replica = try openOrCreate(at: configuration.dataDirectory, logger: logger)
        } catch {
            logger.critical("cannot open the replica", metadata: ["error": "\(error)"])
            throw ExitCode(78)
        }
        let daemon = NapsyncDaemon(configuration: configuration, exchange: replica, logger: logger)
        do {
            try await daemon.run()
        } catch {
            logger.critical("daemon failed", metadata: ["error": "\(error)"])
            throw ExitCode.failure
        }
        logger.notice("stopped")
    }

    private func openOrCreate(at directory: URL, logger: Logger) throws -> Replica {
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent(Replica.databaseFileName).path) {
            return try Replica.open(at: directory, logger: logger)
        }
        // The systemd template sets NAPSYNC_DEPARTMENT to the instance name, so a new node starts by itself.
        let requested =
            department ?? ProcessInfo.processInfo.environment["NAPSYNC_DEPARTMENT"].flatMap { $0.isEmpty ? nil : $0 }
        if coordinator || requested == "coordinator" {
            return try Replica.create(at: directory, owner: .coordinator, logger: logger)
        }
        if let requested {
            return try Replica.create(
                at: directory, owner: .department(try Department(parsing: requested)), logger: logger)
        }
        throw ReplicaError.noReplica(path: directory.path)
    }
}
