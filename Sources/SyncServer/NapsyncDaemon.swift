import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle
import SyncCore
import UnixSignals

/// A node run as a daemon: the HTTP server, the peer sync schedule and systemd notification, as `Service`s of one
/// `ServiceGroup`.
///
/// Graceful shutdown (SIGTERM, SIGINT) runs in reverse order: `STOPPING=1` to systemd, then the HTTP server stops
/// accepting and finishes the requests in flight, then the sync schedule stops (a session in flight stops after
/// its current chunk: every chunk applies all-or-nothing), then the HTTP client, then the checkpoints of the replica's
/// write-ahead log (`WALCheckpointService`), then the replica is released.
public struct NapsyncDaemon: Sendable {
    public let configuration: NapsyncConfiguration
    public let exchange: any ChangeSetExchange
    public let metrics: SyncMetrics
    public let health: HealthState
    /// Signs and checks peer messages once the node has joined a network; nil serves and syncs without
    /// authentication (development mode).
    public let authenticator: (any PeerAuthenticator)?
    let logger: Logger
    let notifier: SystemdNotifier
    let onListening: @Sendable (_ host: String, _ port: Int) async -> Void
    let onStopped: @Sendable () -> Void

    /// - Parameters:
    ///   - onListening: called once the server accepts connections, with the bound port (useful with port 0).
    ///   - onStopped: called last during shutdown, once nothing uses the replica any more (close it there).
    ///   - authenticator: by default the replica itself, when it is a ``PeerAuthenticator`` (``Replica`` is).
    public init(
        configuration: NapsyncConfiguration,
        exchange: any ChangeSetExchange,
        authenticator: (any PeerAuthenticator)? = nil,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in },
        onStopped: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.exchange = exchange
        self.authenticator = authenticator ?? exchange as? any PeerAuthenticator
        self.logger = logger
        self.metrics = SyncMetrics()
        self.health = HealthState(node: exchange.nodeID)
        self.notifier = SystemdNotifier(environment: environment)
        self.onListening = onListening
        self.onStopped = onStopped
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully.
    public func run() async throws {
        try await makeServiceGroup(gracefulShutdownSignals: [.sigterm, .sigint]).run()
    }

    /// The daemon's services in one group; tests run it and call `triggerGracefulShutdown()`.
    ///
    /// A TLS file that cannot be loaded makes the group fail when it runs, with a ``ConfigurationError``.
    public func makeServiceGroup(gracefulShutdownSignals: [UnixSignal] = []) -> ServiceGroup {
        let configuration = self.configuration
        let logger = self.logger
        let tls: NapsyncTLS?
        let tlsError: ConfigurationError?
        do {
            tls = try NapsyncTLS(configuration: configuration)
            tlsError = nil
        } catch {
            tls = nil
            tlsError = error
        }
        let client = HTTPClient.makeForPeers(requestTimeout: configuration.requestTimeout, tls: tls?.client)
        let node = exchange.nodeID
        let authenticator = self.authenticator

        let peerSync = PeerSyncService(
            exchange: exchange,
            peers: configuration.peers,
            schedule: .init(
                interval: configuration.syncInterval,
                backoff: BackoffPolicy(minimum: configuration.backoffMinimum, maximum: configuration.backoffMaximum),
                chunkSize: configuration.chunkSize),
            clock: ContinuousClock(),
            store: PeerStateStore(dataDirectory: configuration.dataDirectory),
            metrics: metrics,
            health: health,
            logger: logger
        ) { url in
            HTTPPeerTransport(
                baseURL: url, client: client, localNode: node, requestTimeout: configuration.requestTimeout,
                maxBodyBytes: configuration.maxBodyBytes, authenticator: authenticator)
        }

        let routes = NodeRoutes(
            exchange: exchange,
            limits: .init(maxBodyBytes: configuration.maxBodyBytes, maxChangesPerChunk: configuration.chunkSize),
            metrics: metrics,
            health: health,
            syncTrigger: { peer in await peerSync.syncNow(peer: peer) },
            authenticator: authenticator
        )
        let health = self.health
        let notifier = self.notifier
        let onListening = self.onListening
        var server = HTTPServerBuilder.http1()
        var serverError: (any Error)? = tlsError
        if let tlsServer = tls?.server {
            do {
                server = try HTTPServerBuilder.tls(.http1(), tlsConfiguration: tlsServer)
            } catch {
                serverError = error
            }
        }
        let app = Application(
            router: routes.buildRouter(),
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let address = "\(configuration.host):\(port)"
                health.serving(at: address)
                let network = await Self.network(authenticator, logger: logger)
                logger.notice(
                    "serving",
                    metadata: [
                        "napsync.listen": "\(address)", "napsync.node": "\(node)",
                        "napsync.tls": "\(tls?.server != nil ? "on" : "off")",
                        "napsync.network": "\(network ?? "none")",
                        "napsync.data_dir": "\(configuration.dataDirectory.path)",
                        "napsync.peers": "\(configuration.peers.count)",
                        "napsync.config": "\(configuration.configFile ?? "none (defaults)")",
                    ])
                if network == nil {
                    logger.warning(
                        """
                        this node has not joined a network: it serves and syncs without authentication, with other \
                        nodes that have not joined either (development mode); do not use it with real data
                        """,
                        metadata: ["napsync.node": "\(node)"])
                }
                if let error = notifier.notify("READY=1\nSTATUS=serving on \(address)") {
                    logger.warning("cannot notify systemd", metadata: ["error": "\(error)"])
                }
                await onListening(configuration.host, port)
            },
            logger: logger
        )

        if let serverError {
            // Nothing starts: the group fails with the error (TLS files that cannot be used).
            return ServiceGroup(
                configuration: .init(
                    services: [.init(service: FailingService(error: serverError), serviceName: "tls")],
                    logger: logger))
        }
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ShutdownHookService(name: "replica", action: onStopped), serviceName: "replica")
        ]
        // A replica's writer leaves its log to a checkpointer (past a backstop only): the daemon is that
        // checkpointer, off the writer (see `WALCheckpointer`).
        if let replica = exchange as? Replica {
            do {
                let checkpointer = try replica.walCheckpointer()
                services.append(
                    .init(
                        service: WALCheckpointService(checkpointer: checkpointer, clock: ContinuousClock(), logger: logger),
                        serviceName: "wal-checkpoint"))
            } catch {
                logger.error("cannot open a connection to checkpoint the write-ahead log", metadata: ["error": "\(error)"])
            }
        }
        services += [
            .init(
                service: ShutdownHookService(name: "http-client") { try? await client.shutdown() },
                serviceName: "http-client"),
            .init(service: peerSync, serviceName: "peer-sync"),
            .init(service: app, serviceName: "http-server"),
            .init(
                service: SystemdService(
                    notifier: notifier, clock: ContinuousClock(), logger: logger, onStopping: { health.stopping() }),
                serviceName: "systemd"),
        ]
        var groupConfiguration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: gracefulShutdownSignals,
            cancellationSignals: [], logger: logger)
        // Within systemd's TimeoutStopSec (30 s in the shipped units): a stuck peer cannot hold up the stop.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(20)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        return ServiceGroup(configuration: groupConfiguration)
    }
}

extension NapsyncDaemon {
    /// The network this node belongs to, or nil (not joined, or the replica cannot say: logged).
    static func network(_ authenticator: (any PeerAuthenticator)?, logger: Logger) async -> String? {
        guard let authenticator else { return nil }
        do {
            return try await ReplicaWorkPool.shared.runIfActive { try authenticator.networkFingerprint() }
        } catch {
            logger.error("cannot read the network membership", metadata: ["error": "\(error)"])
            return nil
        }
    }
}

/// A service that fails at once: a group that cannot start says why.
struct FailingService: Service {
    let error: any Error

    func run() async throws { throw error }
}

/// Waits for graceful shutdown, then runs `action`: releases a resource after every later service has stopped.
struct ShutdownHookService: Service {
    let name: String
    let action: @Sendable () async -> Void

    func run() async throws {
        try? await gracefulShutdown()
        await action()
    }
}

extension HTTPClient {
    /// A client for talking to peers: connect at most 10 s (within `requestTimeout`), and no retrying of a refused
    /// connection inside the client. The peer sync service has its own backoff; without this, AsyncHTTPClient keeps
    /// retrying a refused connection until the connect timeout, and an unreachable peer takes 10 s to notice.
    ///
    /// `tls` checks `https://` peers (see ``NapsyncTLS``); nil uses the system's CAs.
    public static func makeForPeers(requestTimeout: Duration, tls: TLSConfiguration? = nil) -> HTTPClient {
        HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: peerConfiguration(requestTimeout: requestTimeout, tls: tls))
    }

    /// A client from ``makeForPeers(requestTimeout:tls:)`` for the length of `body`, shut down after it whatever
    /// happens.
    public static func withPeerClient<T: Sendable>(
        requestTimeout: Duration, _ body: (HTTPClient) async throws -> T
    ) async throws -> T {
        let client = makeForPeers(requestTimeout: requestTimeout)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The configuration of ``makeForPeers(requestTimeout:tls:)``.
    static func peerConfiguration(requestTimeout: Duration, tls: TLSConfiguration? = nil) -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        let timeout = TimeAmount.nanoseconds(requestTimeout.nanoseconds)
        configuration.timeout = .init(connect: min(timeout, .seconds(10)), read: timeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        return configuration
    }
}
