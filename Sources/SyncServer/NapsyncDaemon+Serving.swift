import Foundation
import Logging
import ServiceLifecycle
import SyncCore

extension NapsyncDaemon {
    /// The server stopped before it accepted connections (a port already taken, a TLS file that cannot be read).
    public struct DidNotListen: Error, Sendable, CustomStringConvertible {
        public var host: String
        public var port: Int
        public var description: String {
            "the napsync server stopped before listening on \(host):\(port); run with --log-level debug to see why"
        }
    }

    /// Serves `exchange` with the daemon's own services (HTTP server, peer sync, HTTP client) on the configured
    /// host and port (port 0 picks a free one) for the length of `body`, which gets the base URL and the daemon;
    /// then shuts the services down gracefully and waits for every one to stop, whether `body` succeeded or not.
    /// No task outlives this call. For the demo, the tests and the benchmarks; `napsync serve` runs until a signal.
    ///
    /// `environment` is empty by default, so that a node served this way under systemd never tells the unit's
    /// `NOTIFY_SOCKET` it is ready.
    public static func serving<T: Sendable>(
        configuration: NapsyncConfiguration, exchange: any ChangeSetExchange, logger: Logger,
        environment: [String: String] = [:], _ body: (_ url: String, _ daemon: NapsyncDaemon) async throws -> T
    ) async throws -> T {
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        let daemon = NapsyncDaemon(
            configuration: configuration, exchange: exchange, logger: logger, environment: environment,
            onListening: { _, port in portContinuation.yield(port) })
        let group = daemon.makeServiceGroup()
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                // Ends the port stream too, so that a server that fails to bind does not leave us waiting.
                defer { portContinuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.waitForAll()
                throw DidNotListen(host: configuration.host, port: configuration.port)
            }
            do {
                let scheme = configuration.servesTLS ? "https" : "http"
                let result = try await body("\(scheme)://\(configuration.host):\(port)", daemon)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }
}
