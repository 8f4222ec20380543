import AsyncHTTPClient
import Foundation
import Logging
import SyncCore
import Synchronization
import SyncServer

/// A daemon on 127.0.0.1, port 0, over a fake replica, for the length of `body`.
func withTestNode<T: Sendable>(
    exchange: any ChangeSetExchange,
    peers: [String] = [],
    environment: [String: String] = [:],
    configure: (inout NapsyncConfiguration) -> Void = { _ in },
    logger: Logger = Logger(label: "test-node", factory: { _ in SwiftLogNoOpLogHandler() }),
    _ body: @Sendable (_ url: String, _ daemon: NapsyncDaemon) async throws -> T
) async throws -> T {
    let directory = try makeTemporaryDirectory()
    defer { try? FileManager.default.removeItem(at: directory) }
    var configuration = NapsyncConfiguration(dataDirectory: directory)
    configuration.host = "127.0.0.1"
    configuration.port = 0
    configuration.peers = peers
    configuration.requestTimeout = .seconds(5)
    configure(&configuration)
    return try await NapsyncDaemon.serving(
        configuration: configuration, exchange: exchange, logger: logger, environment: environment, body)
}

func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("napsync-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// One HTTP client for the whole test process.
let testHTTPClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)

func transport(
    to url: String, from node: NodeID, maxBodyBytes: Int = 1 << 24, authenticator: (any PeerAuthenticator)? = nil,
    client: HTTPClient = testHTTPClient
) -> HTTPPeerTransport {
    HTTPPeerTransport(
        baseURL: url, client: client, localNode: node, requestTimeout: .seconds(5), maxBodyBytes: maxBodyBytes,
        authenticator: authenticator)
}

func runSession(
    _ exchange: any ChangeSetExchange, with url: String, chunk: Int = 100,
    direction: SyncSessionStateMachine.Direction = .both, client: HTTPClient = testHTTPClient
) async -> (SyncSummary, SyncFailure?) {
    // A real replica signs its requests once it has joined a network, as the daemon's client does.
    await SyncSessionDriver(
        exchange: exchange,
        transport: transport(
            to: url, from: exchange.nodeID, authenticator: exchange as? any PeerAuthenticator, client: client),
        peer: url, direction: direction,
        maxChanges: chunk, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
    ).run()
}

/// Captures log lines for assertions.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func count(containing text: String) -> Int { all.filter { $0.contains(text) }.count }

    func logger(level: Logger.Level = .debug) -> Logger {
        Logger(label: "napsync") { label in
            var handler = JournalLogHandler(label: label, journal: true) { line in
                self.lines.withLock { $0.append(line) }
            }
            handler.logLevel = level
            return handler
        }
    }
}
