import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOFoundationCompat
import NIOPosix
import SyncCore

/// Lets only admitted, unrevoked members of this node's network use the `/v1/` endpoints, and signs every answer.
///
/// For a node that has joined a network, a `/v1/` request (other than the loopback-only `/v1/local/`) must carry
/// `MessageAuthentication` headers: a certificate from this network's root and a signature over the method, path,
/// timestamp and body. Anything else is answered `401 unauthenticated` before any handler runs, logged with the
/// peer's address and the reason, and counted in `napsync_requests_refused_total{reason}`. Every response
/// (refusals included) is signed, so the client knows who answered.
///
/// A node that has not joined (development mode) neither checks nor signs. `/health` and `/metrics` stay open.
struct PeerAuthenticationMiddleware: RouterMiddleware {
    typealias Context = NapsyncRequestContext

    let authenticator: any PeerAuthenticator
    /// The body is read whole to check its signature: no request body may be larger than the largest the node
    /// accepts on any endpoint.
    let maxBodyBytes: Int
    let metrics: SyncMetrics

    static let requestKind = "request"
    static let responseKind = "response"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let path = request.uri.path
        guard Self.isAuthenticated(path: path) else { return try await next(request, context) }
        let authenticator = self.authenticator
        let network: String?
        do {
            network = try await ReplicaWorkPool.shared.runIfActive { try authenticator.networkFingerprint() }
        } catch {
            throw NapsyncHTTPError(
                .serviceUnavailable, code: ErrorCode.replicaUnavailable, message: "local replica failed: \(error)")
        }
        guard let network else { return try await next(request, context) }

        var request = request
        var context = context
        do {
            let peer = try await verify(&request, path: path, network: network)
            context.authenticatedPeer = peer
            context.logger[metadataKey: "napsync.peer.node"] = "\(peer.node)"
            context.logger[metadataKey: "napsync.peer.owner"] = "\(peer.owner)"
        } catch let refusal as AuthenticationRefusal {
            metrics.recordRefusedRequest(reason: refusal.reason.label)
            context.logger.warning(
                "refused unauthenticated request",
                metadata: [
                    "napsync.peer.address": "\(context.peerAddress)",
                    "napsync.peer.node": "\(request.headers[NodeRoutes.nodeHeader] ?? "none")",
                    "napsync.path": "\(path)", "napsync.reason": "\(refusal.reason.label)",
                    "error": "\(refusal.message)",
                ])
            var error = NapsyncHTTPError(
                .unauthorized, code: ErrorCode.unauthenticated,
                message: "\(refusal.message); this node answers only admitted members of network \(network)")
            error.body.network = network
            error.extraHeaders[.wwwAuthenticate] = "Napsync-Signature"
            return try await sign(try error.response(from: request, context: context), path: path)
        }

        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as any HTTPResponseError {
            // Errors are answers too: sign them, so the client can tell a refusal of this node from a forgery.
            response = try error.response(from: request, context: context)
        }
        return try await sign(response, path: path)
    }

    /// `/v1/...` except the loopback-only `/v1/local/...`.
    static func isAuthenticated(path: String) -> Bool {
        path.hasPrefix("/\(ProtocolV1.pathPrefix)/") && !path.hasPrefix("/\(ProtocolV1.pathPrefix)/local/")
    }

    /// Reads the body (bounded), puts it back for the handler, and checks the signature over it.
    private func verify(_ request: inout Request, path: String, network: String) async throws -> AuthenticatedPeer {
        let headers = request.headers
        // Without headers there is nothing to check: refuse before reading the body.
        guard
            let authentication = MessageAuthentication(header: { name in
                HTTPField.Name(name).flatMap { headers[$0] }
            })
        else {
            throw AuthenticationRefusal(
                reason: .refused(.missingHeaders),
                message: "the request carries no valid \(MessageAuthentication.certificateHeader), "
                    + "\(MessageAuthentication.timestampHeader) and \(MessageAuthentication.signatureHeader) headers "
                    + "(has the sending node joined the network?)")
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            throw NapsyncHTTPError(
                .contentTooLarge, code: ErrorCode.bodyTooLarge,
                message: "request body over \(maxBodyBytes) bytes; send smaller chunks (see limits in /v1/hello)")
        }
        request.body = RequestBody(buffer: body)
        let data = Data(buffer: body)
        let method = request.method.rawValue
        let authenticator = self.authenticator
        do {
            return try await ReplicaWorkPool.shared.runIfActive {
                try authenticator.verify(
                    authentication, kind: Self.requestKind, method: method, path: path, body: data)
            }
        } catch {
            throw AuthenticationRefusal(classifying: error)
        }
    }

    /// Adds this node's signature over the status, path and body.
    private func sign(_ response: Response, path: String) async throws -> Response {
        var response = response
        let collector = BodyCollector()
        try await response.body.write(collector)
        let body = collector.buffer
        let data = Data(buffer: body)
        let status = String(response.status.code)
        let authenticator = self.authenticator
        let authentication = try await ReplicaWorkPool.shared.runIfActive {
            try authenticator.authenticate(kind: Self.responseKind, method: status, path: path, body: data)
        }
        for (name, value) in authentication.headers {
            if let name = HTTPField.Name(name) { response.headers[name] = value }
        }
        response.body = ResponseBody(byteBuffer: body)
        return response
    }
}

/// Gathers a response body in memory, to sign it. napsync's bodies are bounded (one chunk at most).
private final class BodyCollector: ResponseBodyWriter {
    var buffer = ByteBuffer()

    func write(_ buffer: ByteBuffer) async throws {
        self.buffer.writeImmutableBuffer(buffer)
    }

    func finish(_ trailingHeaders: HTTPFields?) async throws {}
}
