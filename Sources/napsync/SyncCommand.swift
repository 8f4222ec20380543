import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import SyncCore
import SyncServer

struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Sync now with one peer or with every configured peer.",
        discussion: """
            Asks the local daemon (`napsync serve`) to sync now. With no daemon running, or with --direct, opens
            the replica and syncs from this process. Exits 1 if any session failed.

            Examples:
              napsync sync                                   # every configured peer, through the daemon
              napsync sync --peer http://fps-dg1.example.be:7325
              napsync sync --direct --data-dir ./node --peer http://127.0.0.1:7326
            """)

    @Option(name: .customLong("config"), help: ArgumentHelp("The configuration file (YAML).", valueName: "file"))
    var configFile: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp("The node's data directory.", valueName: "dir"))
    var dataDirectory: String?

    @Option(
        name: .customLong("peer"),
        help: ArgumentHelp("The peer's base URL (default: every configured peer).", valueName: "url"))
    var peer: String?

    @Option(help: ArgumentHelp("The local daemon's URL (default: from listen.host and listen.port).", valueName: "url"))
    var daemon: String?

    @Flag(help: "Sync from this process even if a daemon runs.") var direct = false
    @Flag(help: "Print the session summaries as JSON.") var json = false
    @Option(help: "trace, debug, info, notice, warning or error (default warning).") var logLevel: String?

    func run() async throws {
        var overrides: [NapsyncConfiguration.Key: String] = [:]
        overrides[.dataDirectory] = dataDirectory
        overrides[.logLevel] = logLevel ?? "warning"
        let configuration: NapsyncConfiguration
        do {
            configuration = try await NapsyncConfiguration.load(configFile: configFile, overrides: overrides)
        } catch {
            throw ValidationError("\(error)")
        }
        let logger = CommandLogging.bootstrapJournal(level: configuration.logLevel)
        let tls: NapsyncTLS
        do {
            tls = try NapsyncTLS(configuration: configuration)
        } catch {
            throw ValidationError("\(error)")
        }
        let client = HTTPClient.makeForPeers(requestTimeout: configuration.requestTimeout, tls: tls.client)
        let localClient = HTTPClient.makeForPeers(
            requestTimeout: configuration.requestTimeout, tls: tls.localDaemonClient)
        let sessions: [SyncSummary]
        do {
            sessions = try await syncSessions(
                configuration: configuration, client: client, localClient: localClient, logger: logger)
            try await client.shutdown()
            try await localClient.shutdown()
        } catch {
            try? await client.shutdown()
            try? await localClient.shutdown()
            throw error
        }
        let results = sessions
        if json {
            try printJSON(results)
        } else {
            for session in results {
                if session.outcome == .completed {
                    print(
                        "\(session.peer): ok, pulled \(session.applied) new (\(session.alreadyKnown) known), pushed \(session.pushed)"
                    )
                } else {
                    print("\(session.peer): FAILED: \(session.error ?? "unknown error")")
                }
            }
        }
        if results.contains(where: { $0.outcome != .completed }) { throw ExitCode.failure }
    }

    private func syncSessions(
        configuration: NapsyncConfiguration, client: HTTPClient, localClient: HTTPClient, logger: Logger
    ) async throws -> [SyncSummary] {
        if !direct {
            do {
                return try await SyncClient.requestSync(
                    daemonURL: daemon ?? configuration.localURL, peer: peer, client: localClient,
                    timeout: configuration.requestTimeout * 20)
            } catch SyncFailure.unreachable(let why) {
                logger.info("no local daemon; syncing directly", metadata: ["reason": "\(why)"])
            }
        }
        let peers = peer.map { [$0] } ?? configuration.peers
        guard !peers.isEmpty else {
            throw ValidationError("no peer to sync with: give --peer URL or configure peers")
        }
        let replica = try Replica.open(at: configuration.dataDirectory, logger: logger)
        return await SyncClient.syncDirectly(
            exchange: replica, peers: peers, configuration: configuration, client: client, logger: logger)
    }
}
