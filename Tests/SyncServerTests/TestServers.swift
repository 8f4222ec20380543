import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import ServiceLifecycle
import SyncCore
import Synchronization
import SyncServer

/// Runs a Hummingbird router on 127.0.0.1, port 0, for the length of `body`.
func withServer<T: Sendable>(
    _ router: Router<BasicRequestContext>, _ body: @Sendable (_ url: String) async throws -> T
) async throws -> T {
    let (ports, continuation) = AsyncStream<Int>.makeStream()
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
        onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
        logger: Logger(label: "test-server", factory: { _ in SwiftLogNoOpLogHandler() }))
    let group = ServiceGroup(configuration: .init(services: [app], logger: app.logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        defer { tasks.cancelAll() }
        let result = try await body("http://127.0.0.1:\(port)")
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}

/// A node of a future protocol version: it answers every request with 426 and `supportedVersions: [2]`.
func withFutureNode<T: Sendable>(_ body: @Sendable (_ url: String) async throws -> T) async throws -> T {
    let router = Router()
    router.get("**") { _, _ -> Response in futureRefusal() }
    router.post("**") { _, _ -> Response in futureRefusal() }
    return try await withServer(router, body)
}

private func futureRefusal() -> Response {
    let body = ErrorBody(error: "incompatible-protocol", message: "speaks version 2 only", supportedVersions: [2])
    let data = try! JSONEncoder().encode(body)
    return Response(
        status: .upgradeRequired, headers: [.contentType: "application/json"],
        body: .init(byteBuffer: ByteBuffer(data: data)))
}

/// A node that speaks v1 from `exchange` but cuts the connection in the middle of the body of pull response
/// number `cutOnPull` (1-based): the client receives the headers and half of the change set, then nothing.
func withCuttingNode<T: Sendable>(
    exchange: FakeExchange, chunk: Int, cutOnPull: Int, _ body: @Sendable (_ url: String) async throws -> T
) async throws -> T {
    let counter = Counter()
    let router = Router()
    router.get("v1/hello") { _, _ -> Response in
        let hello = HelloResponse(
            node: exchange.nodeID, clock: try exchange.currentClock(),
            limits: .init(maxBodyBytes: 1 << 20, maxChangesPerChunk: chunk))
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(data: try JSONEncoder().encode(hello))))
    }
    router.post("v1/changes/pull") { request, _ -> Response in
        let pull = try JSONDecoder().decode(
            PullRequestBody.self, from: Data(buffer: try await request.body.collect(upTo: 1 << 20)))
        guard let outgoing = try exchange.changeSet(missingFrom: pull.clock, maxChanges: min(pull.maxChanges, chunk))
        else {
            return Response(status: .noContent)
        }
        var headers: HTTPFields = [:]
        headers[HTTPField.Name("Napsync-Change-Count")!] = String(outgoing.changeCount)
        headers[HTTPField.Name("Napsync-Has-More")!] = outgoing.hasMore ? "true" : "false"
        let data = outgoing.data
        guard counter.next() == cutOnPull else {
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
        }
        return Response(
            status: .ok, headers: headers,
            body: ResponseBody(contentLength: data.count) { writer in
                try await writer.write(ByteBuffer(data: data.prefix(data.count / 2)))
                throw CutConnection()
            })
    }
    return try await withServer(router, body)
}

struct CutConnection: Error {}

final class Counter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        value.withLock {
            $0 += 1; return $0
        }
    }
}
