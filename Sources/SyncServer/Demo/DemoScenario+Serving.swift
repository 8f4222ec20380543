import Foundation
import ServiceLifecycle
import SyncCore

extension DemoScenario {
    /// Serves `node` with the daemon's own services (``NapsyncDaemon``: HTTP server, peer sync, HTTP client) on
    /// 127.0.0.1 at a free port for the length of `body`, then shuts the group down gracefully and waits for every
    /// service to stop, whether `body` succeeded or not. No task outlives this call.
    func serving<T: Sendable>(_ node: DemoNode, _ body: (_ url: String) async throws -> T) async throws -> T {
        var configuration = NapsyncConfiguration(dataDirectory: node.directory)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.requestTimeout = requestTimeout
        let (ports, portContinuation) = AsyncStream<Int>.makeStream()
        // No environment: a demo run under systemd must not tell the unit's NOTIFY_SOCKET it is ready.
        let daemon = NapsyncDaemon(
            configuration: configuration, exchange: node.replica, logger: logger, environment: [:],
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
                throw DemoError.serverDidNotStart
            }
            do {
                let result = try await body("http://127.0.0.1:\(port)")
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
