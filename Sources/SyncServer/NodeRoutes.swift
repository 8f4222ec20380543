import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import NIOPosix
import SyncCore

/// The HTTP face of a node: the `/v1` sync protocol, `/health`, `/metrics` and the loopback-only `/v1/local/sync`.
public struct NodeRoutes: Sendable {
    /// Runs a sync now: with one peer URL, or with every configured peer when `nil`.
    public typealias SyncTrigger = @Sendable (_ peer: String?) async throws -> [SyncSummary]

    let exchange: any ChangeSetExchange
    let limits: HelloResponse.Limits
    let metrics: SyncMetrics
    let health: HealthState
    let syncTrigger: SyncTrigger?
    let authenticator: (any PeerAuthenticator)?

    /// - Parameter authenticator: checks and signs `/v1/` messages once the node has joined a network; nil
    ///   serves without authentication (development mode).
    public init(
        exchange: any ChangeSetExchange,
        limits: HelloResponse.Limits,
        metrics: SyncMetrics,
        health: HealthState,
        syncTrigger: SyncTrigger?,
        authenticator: (any PeerAuthenticator)? = nil
    ) {
        self.exchange = exchange
        self.limits = limits
        self.metrics = metrics
        self.health = health
        self.syncTrigger = syncTrigger
        self.authenticator = authenticator
    }

    /// A router with every route registered.
    public func buildRouter() -> Router<NapsyncRequestContext> {
        let router = Router(context: NapsyncRequestContext.self)
        router.middlewares.add(ProtocolVersionMiddleware())
        if let authenticator {
            // After the version check: a peer of another version is told so, whatever it signs.
            router.middlewares.add(
                PeerAuthenticationMiddleware(
                    authenticator: authenticator, maxBodyBytes: max(limits.maxBodyBytes, Self.pullBodyLimit),
                    metrics: metrics))
        }
        router.get("health") { _, _ in try self.healthResponse() }
        router.get("metrics") { _, _ in
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            return Response(
                status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: self.metrics.render())))
        }
        let v1 = router.group(RouterPath(ProtocolV1.pathPrefix))
        v1.get("hello") { _, _ in try await self.hello() }
        v1.post("changes/pull") { request, context in try await self.pull(request, context: context) }
        v1.post("changes") { request, context in try await self.push(request, context: context) }
        v1.post("local/sync") { request, context in try await self.syncNow(request, context: context) }
        return router
    }

    // MARK: Handlers

    func hello() async throws -> Response {
        let authenticator = self.authenticator
        let (clock, network) = try await onReplica { exchange in
            (try exchange.currentClock(), try authenticator?.networkFingerprint())
        }
        return try json(HelloResponse(node: exchange.nodeID, network: network, clock: clock, limits: limits))
    }

    func pull(_ request: Request, context: NapsyncRequestContext) async throws -> Response {
        let body = try await collect(request, upTo: Self.pullBodyLimit)
        let pull: PullRequestBody
        do {
            pull = try JSONDecoder().decode(PullRequestBody.self, from: Data(buffer: body))
        } catch {
            throw NapsyncHTTPError(.badRequest, code: ErrorCode.badRequest, message: "malformed pull request: \(error)")
        }
        let maxChanges = max(1, min(pull.maxChanges, limits.maxChangesPerChunk))
        let outgoing = try await onReplica { try $0.changeSet(missingFrom: pull.clock, maxChanges: maxChanges) }
        guard let outgoing, outgoing.changeCount > 0 else { return Response(status: .noContent) }
        metrics.recordBytes(outgoing.data.count, direction: .out)
        context.logger.debug(
            "served change set",
            metadata: [
                "napsync.peer.node": "\(Self.peerNode(request, context: context))",
                "napsync.changeset.changes": "\(outgoing.changeCount)",
                "napsync.changeset.bytes": "\(outgoing.data.count)",
            ])
        var headers = HTTPFields()
        headers[.contentType] = ProtocolV1.changeSetContentType
        headers[Self.changeCountHeader] = String(outgoing.changeCount)
        headers[Self.hasMoreHeader] = outgoing.hasMore ? "true" : "false"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: outgoing.data)))
    }

    func push(_ request: Request, context: NapsyncRequestContext) async throws -> Response {
        let body = try await collect(request, upTo: limits.maxBodyBytes)
        metrics.recordBytes(body.readableBytes, direction: .in)
        let peerNode = Self.peerNode(request, context: context)
        // As the sender says, for logs and metrics only; a count that is not one is taken as none.
        let announced = request.headers[Self.changeCountHeader].flatMap(Int.init).map { max(0, $0) } ?? 0
        let data = Data(buffer: body)
        let report: ApplyReport
        do {
            // Not through onReplica: a refusal is the change set's fault (422), not an unavailable replica (503).
            let exchange = self.exchange
            report = try await ReplicaWorkPool.shared.runIfActive { try exchange.apply(changeSet: data) }
        } catch where ReplicaError.isLocalFailure(error) {
            // Not the change set's fault: the sender is told to come back later, this node's operator why.
            context.logger.error(
                "local replica failed: pushed change set not applied",
                metadata: ["napsync.peer.node": "\(peerNode)", "error": "\(error)"])
            throw Self.unavailable(error)
        } catch {
            metrics.recordRefused(announced, peer: peerNode)
            context.logger.warning(
                "refused pushed change set",
                metadata: [
                    "napsync.peer.node": "\(peerNode)", "napsync.changeset.changes": "\(announced)",
                    "napsync.changeset.bytes": "\(data.count)", "error": "\(error)",
                ])
            throw NapsyncHTTPError(
                .unprocessableContent, code: ErrorCode.changeSetRefused,
                message: "change set not applied (nothing of it was): \(error)")
        }
        metrics.recordApplied(report, peer: peerNode)
        context.logger.debug(
            "applied pushed change set",
            metadata: [
                "napsync.peer.node": "\(peerNode)", "napsync.changeset.changes": "\(announced)",
                "napsync.changeset.bytes": "\(data.count)", "napsync.applied": "\(report.applied)",
                "napsync.already_known": "\(report.alreadyKnown)",
            ])
        return try json(report)
    }

    func syncNow(_ request: Request, context: NapsyncRequestContext) async throws -> Response {
        guard context.isLoopback else {
            throw NapsyncHTTPError(
                .forbidden, code: ErrorCode.forbidden, message: "/v1/local/ endpoints answer only loopback callers")
        }
        guard let syncTrigger else {
            throw NapsyncHTTPError(.notFound, code: ErrorCode.notFound, message: "this server runs no sync service")
        }
        let body = try await collect(request, upTo: 64 * 1024)
        let syncRequest: SyncNowRequestBody
        if body.readableBytes == 0 {
            syncRequest = SyncNowRequestBody()
        } else {
            do {
                syncRequest = try JSONDecoder().decode(SyncNowRequestBody.self, from: Data(buffer: body))
            } catch {
                throw NapsyncHTTPError(
                    .badRequest, code: ErrorCode.badRequest, message: "malformed sync request: \(error)")
            }
        }
        let sessions = try await syncTrigger(syncRequest.peer)
        return try json(SyncNowResponseBody(sessions: sessions))
    }

    func healthResponse() throws -> Response {
        let report = health.report()
        var response = try json(report)
        response.status = report.ready ? .ok : .serviceUnavailable
        return response
    }

    // MARK: Helpers

    /// Largest pull request body (JSON).
    static let pullBodyLimit = 1024 * 1024

    /// The requesting node: authenticated when the node has joined a network, else as the peer says.
    static func peerNode(_ request: Request, context: NapsyncRequestContext) -> String {
        context.authenticatedPeer.map { $0.node.hex } ?? request.headers[nodeHeader] ?? "unknown"
    }

    static var nodeHeader: HTTPField.Name { HTTPField.Name(ProtocolV1.Header.node)! }
    static var changeCountHeader: HTTPField.Name { HTTPField.Name(ProtocolV1.Header.changeCount)! }
    static var hasMoreHeader: HTTPField.Name { HTTPField.Name(ProtocolV1.Header.hasMore)! }

    private func collect(_ request: Request, upTo limit: Int) async throws -> ByteBuffer {
        do {
            return try await request.body.collect(upTo: limit)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw NapsyncHTTPError(
                .contentTooLarge, code: ErrorCode.bodyTooLarge,
                message: "request body over \(limit) bytes; send smaller chunks (see limits in /v1/hello)")
        } catch is NIOTooManyBytesError {
            throw NapsyncHTTPError(
                .contentTooLarge, code: ErrorCode.bodyTooLarge,
                message: "request body over \(limit) bytes; send smaller chunks (see limits in /v1/hello)")
        }
    }

    private func json(_ value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        var headers = HTTPFields()
        headers[.contentType] = ProtocolV1.jsonContentType
        return Response(
            status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: try encoder.encode(value))))
    }

    private func onReplica<T: Sendable>(_ body: @escaping @Sendable (any ChangeSetExchange) throws -> T) async throws
        -> T
    {
        let exchange = self.exchange
        do {
            return try await ReplicaWorkPool.shared.runIfActive { try body(exchange) }
        } catch let error as NapsyncHTTPError {
            throw error
        } catch {
            throw Self.unavailable(error)
        }
    }

    /// What a peer is told when this node's replica fails (503): a damaged replica without the repair advice
    /// meant for this node's operator, which a peer's operator could take for theirs.
    static func unavailable(_ error: any Error) -> NapsyncHTTPError {
        let message =
            if case ReplicaError.damagedReplica = error {
                "this node's replica is damaged and waits for its operator; nothing was applied or read"
            } else {
                "local replica failed: \(error)"
            }
        return NapsyncHTTPError(.serviceUnavailable, code: ErrorCode.replicaUnavailable, message: message)
    }
}
