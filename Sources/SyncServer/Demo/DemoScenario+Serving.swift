import Foundation
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
        do {
            return try await NapsyncDaemon.serving(configuration: configuration, exchange: node.replica, logger: logger) {
                url, _ in try await body(url)
            }
        } catch is NapsyncDaemon.DidNotListen {
            throw DemoError.serverDidNotStart
        }
    }
}
