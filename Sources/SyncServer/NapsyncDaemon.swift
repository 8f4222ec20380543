import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import SyncCore
import UnixSignals

/// A node run as a daemon: the HTTP server, the peer sync schedule and systemd notification, as `Service`s of one
/// `ServiceGroup`.
///
/// Graceful shutdown (SIGTERM, SIGINT) runs in reverse order: `STOPPING=1` to systemd, then the HTTP server stops
/// accepting and finishes the requests in flight, then the sync schedule stops (a session in flight stops after
/// its current chunk: every chunk applies all-or-nothing), then the HTTP client, then the replica is released.
public struct NapsyncDaemon: Sendable {
    public let configuration: NapsyncConfiguration
    public let exchange: any ChangeSetExchange
    public let metrics: SyncMetrics
    public let health: HealthState
    let logger: Logger
    let notifier: SystemdNotifier
    let onListening: @Sendable (_ host: String, _ port: Int) async -> Void
    let onStopped: @Sendable () -> Void

    /// - Parameters:
    ///   - onListening: called once the server accepts connections, with the bound port (useful with port 0).
    ///   - onStopped: called last during shutdown, once nothing uses the replica any more (close it there).
    public init(
        configuration: NapsyncConfiguration,
        exchange: any ChangeSetExchange,
        logger: Logger,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        onListening: @escaping @Sendable (_ host: String, _ port: Int) async -> Void = { _, _ in },
        onStopped: @escaping @Sendable () -> Void = {}
    ) {
        self.configuration = configuration
        self.exchange = exchange
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
    public func makeServiceGroup(gracefulShutdownSignals: [UnixSignal] = []) -> ServiceGroup {
        let configuration = self.configuration
        let logger = self.logger
        let client = HTTPClient.makeForPeers(requestTimeout: configuration.requestTimeout)
        let node = exchange.nodeID

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
                maxBodyBytes: configuration.maxBodyBytes)
        }

        let routes = NodeRoutes(
            exchange: exchange,
            limits: .init(maxBodyBytes: configuration.maxBodyBytes, maxChangesPerChunk: configuration.chunkSize),
            metrics: metrics,
            health: health,
            syncTrigger: { peer in await peerSync.syncNow(peer: peer) }
        )
        let health = self.health
        let notifier = self.notifier
        let onListening = self.onListening
        let app = Application(
            router: routes.buildRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port)),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                let address = "\(configuration.host):\(port)"
                health.serving(at: address)
                logger.notice(
                    "serving",
                    metadata: [
                        "napsync.listen": "\(address)", "napsync.node": "\(node)",
                        "napsync.data_dir": "\(configuration.dataDirectory.path)",
                        "napsync.peers": "\(configuration.peers.count)",
                        "napsync.config": "\(configuration.configFile ?? "none (defaults)")",
                    ])
                if let error = notifier.notify("READY=1\nSTATUS=serving on \(address)") {
                    logger.warning("cannot notify systemd", metadata: ["error": "\(error)"])
                }
                await onListening(configuration.host, port)
            },
            logger: logger
        )

        let services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: ShutdownHookService(name: "replica", action: onStopped), serviceName: "replica"),
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
    public static func makeForPeers(requestTimeout: Duration) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        let timeout = TimeAmount.nanoseconds(requestTimeout.nanoseconds)
        configuration.timeout = .init(connect: min(timeout, .seconds(10)), read: timeout)
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}
