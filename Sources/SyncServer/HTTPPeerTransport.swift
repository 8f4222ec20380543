import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOPosix
import NIOSSL
import SyncCore

/// ``PeerTransport`` over HTTP/1.1 with AsyncHTTPClient. Bodies are read up to `maxBodyBytes`, so a peer cannot make
/// this node buffer more than one bounded chunk.
///
/// Once the local node has joined a network, every request is signed and every answer must be signed by an
/// admitted, unrevoked member of the same network, or it is not used (``SyncFailure/unauthenticated(_:)``).
public struct HTTPPeerTransport: PeerTransport {
    public let baseURL: String
    let client: HTTPClient
    let localNode: NodeID
    let requestTimeout: Duration
    let maxBodyBytes: Int
    let authenticator: (any PeerAuthenticator)?

    /// - Parameter authenticator: signs requests and checks answers once the node has joined a network; nil
    ///   talks without authentication (development mode).
    public init(
        baseURL: String, client: HTTPClient, localNode: NodeID, requestTimeout: Duration, maxBodyBytes: Int,
        authenticator: (any PeerAuthenticator)? = nil
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.localNode = localNode
        self.requestTimeout = requestTimeout
        self.maxBodyBytes = maxBodyBytes
        self.authenticator = authenticator
    }

    public func hello() async throws -> HelloResponse {
        let (response, body) = try await exchange("hello", method: .GET) { response, body, network in
            // A peer of another network (or none) is told apart before its signature is checked, for a clear error.
            if response.status == .ok,
                let hello = try? JSONDecoder().decode(HelloResponse.self, from: Data(buffer: body)),
                hello.network != network
            {
                throw SyncFailure.wrongNetwork(local: network, peer: hello.network)
            }
        }
        try checkStatus(response, body: body)
        return try decodeJSON(HelloResponse.self, from: body, what: "hello")
    }

    public func pull(_ pull: PullRequestBody) async throws -> PulledChunk? {
        let (response, body) = try await exchange(
            "changes/pull", method: .POST, contentType: ProtocolV1.jsonContentType,
            body: try JSONEncoder().encode(pull))
        try checkStatus(response, body: body)
        if response.status == .noContent { return nil }
        guard response.status == .ok else {
            throw SyncFailure.protocolViolation("pull answered \(response.status.code), expected 200 or 204")
        }
        guard let count = response.headers.first(name: ProtocolV1.Header.changeCount).flatMap(Int.init), count >= 0,
            let more = response.headers.first(name: ProtocolV1.Header.hasMore)
        else {
            throw SyncFailure.protocolViolation(
                "pull response lacks \(ProtocolV1.Header.changeCount) or \(ProtocolV1.Header.hasMore)")
        }
        return PulledChunk(data: Data(buffer: body), changeCount: count, hasMore: more == "true")
    }

    public func push(_ changeSet: OutgoingChangeSet) async throws -> ApplyReport {
        let (response, body) = try await exchange(
            "changes", method: .POST, contentType: ProtocolV1.changeSetContentType, body: changeSet.data,
            headers: [(ProtocolV1.Header.changeCount, String(changeSet.changeCount))])
        try checkStatus(response, body: body)
        return try decodeJSON(ApplyReport.self, from: body, what: "push")
    }

    // MARK: Helpers

    /// Sends one request (signed once the node has joined a network) and reads the answer, whose signature it
    /// checks before anything else looks at it. `inspect` sees the answer first, to explain a mismatch better.
    private func exchange(
        _ path: String, method: HTTPMethod, contentType: String? = nil, body: Data = Data(),
        headers: [(String, String)] = [],
        inspect: (HTTPClientResponse, ByteBuffer, _ network: String?) throws -> Void = { _, _, _ in }
    ) async throws -> (HTTPClientResponse, ByteBuffer) {
        let signedPath = "/\(ProtocolV1.pathPrefix)/\(path)"
        var request = HTTPClientRequest(url: "\(baseURL)\(signedPath)")
        request.method = method
        request.headers.add(name: ProtocolV1.Header.protocolVersion, value: String(ProtocolV1.version))
        request.headers.add(name: ProtocolV1.Header.node, value: localNode.hex)
        request.headers.add(name: "User-Agent", value: NapsyncVersion.software)
        if let contentType { request.headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if method != .GET { request.body = .bytes(ByteBuffer(data: body)) }

        var network: String?
        do {
            if let authenticator {
                network = try await Self.onReplica { try authenticator.networkFingerprint() }
            }
            if let authenticator, network != nil {
                let methodName = method.rawValue
                let authentication = try await Self.onReplica {
                    try authenticator.authenticate(
                        kind: PeerAuthenticationMiddleware.requestKind, method: methodName, path: signedPath, body: body
                    )
                }
                for (name, value) in authentication.headers { request.headers.replaceOrAdd(name: name, value: value) }
            }
        } catch {
            throw SyncFailure.localReadFailed("cannot sign the request: \(error)")
        }

        let response = try await execute(request)
        let responseBody = try await collect(response)
        try inspect(response, responseBody, network)
        try await checkAuthentication(response, body: responseBody, path: signedPath, network: network)
        return (response, responseBody)
    }

    /// Once joined, an answer is used only if an admitted, unrevoked member of this network signed it.
    private func checkAuthentication(
        _ response: HTTPClientResponse, body: ByteBuffer, path: String, network: String?
    ) async throws {
        guard let authenticator, let network else { return }
        // A refusal of the protocol version carries no data, and a node of another version may sign differently.
        if response.status == .upgradeRequired { return }
        let authentication = MessageAuthentication(header: { response.headers.first(name: $0) })
        let status = String(response.status.code)
        let data = Data(buffer: body)
        do {
            _ = try await Self.onReplica {
                try authenticator.verify(
                    authentication, kind: PeerAuthenticationMiddleware.responseKind, method: status, path: path,
                    body: data)
            }
        } catch {
            let refusal = AuthenticationRefusal(classifying: error)
            if case .wrongNetwork(_, let found) = error as? TrustError {
                throw SyncFailure.wrongNetwork(local: network, peer: found)
            }
            if refusal.reason == .refused(.missingHeaders) {
                let peerNetwork = (try? JSONDecoder().decode(ErrorBody.self, from: data))?.network
                if response.status == .unauthorized, peerNetwork != nil, peerNetwork != network {
                    throw SyncFailure.wrongNetwork(local: network, peer: peerNetwork)
                }
                throw SyncFailure.unauthenticated(
                    "its answer (\(status)) is not signed: the peer has not joined network \(network), or is no napsync node"
                )
            }
            throw SyncFailure.unauthenticated("its answer (\(status)) was refused: \(refusal.description)")
        }
    }

    private static func onReplica<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await ReplicaWorkPool.shared.runIfActive { try body() }
    }

    private func execute(_ request: HTTPClientRequest) async throws -> HTTPClientResponse {
        do {
            return try await client.execute(request, timeout: .nanoseconds(requestTimeout.nanoseconds))
        } catch {
            throw SyncFailure.unreachable(Self.describe(error))
        }
    }

    private func collect(_ response: HTTPClientResponse) async throws -> ByteBuffer {
        do {
            return try await response.body.collect(upTo: maxBodyBytes)
        } catch is NIOTooManyBytesError {
            throw SyncFailure.protocolViolation("response body larger than \(maxBodyBytes) bytes")
        } catch {
            // The connection was cut mid-body: the chunk is incomplete and is not applied.
            throw SyncFailure.unreachable("response cut: \(Self.describe(error))")
        }
    }

    private func checkStatus(_ response: HTTPClientResponse, body: ByteBuffer) throws {
        guard response.status.code >= 300 else { return }
        let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(buffer: body))
        if response.status == .upgradeRequired || error?.error == ErrorCode.incompatibleProtocol {
            throw SyncFailure.incompatibleProtocol(peerVersions: error?.supportedVersions ?? [])
        }
        if response.status == .notFound, error == nil {
            // Not a napsync node, or one too old to know this version's paths.
            throw SyncFailure.incompatibleProtocol(peerVersions: [])
        }
        if response.status == .unauthorized {
            let local: String? = (try? authenticator?.networkFingerprint()) ?? nil
            if let network = error?.network, network != local {
                throw SyncFailure.wrongNetwork(local: local, peer: network)
            }
            throw SyncFailure.unauthenticated(
                "the peer refused this node: \(error?.message ?? "401 without a napsync error body")")
        }
        throw SyncFailure.peerError(
            status: Int(response.status.code),
            code: error?.error ?? "unknown",
            message: error?.message ?? "no napsync error body"
        )
    }

    private func decodeJSON<T: Decodable>(_ type: T.Type, from body: ByteBuffer, what: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(buffer: body))
        } catch {
            throw SyncFailure.protocolViolation("malformed \(what) body: \(error)")
        }
    }

    static func describe(_ error: any Error) -> String {
        if error is NIOSSLError || error is NIOSSLExtraError {
            return "TLS handshake failed (\(error)): the peer's certificate is not trusted or does not name the "
                + "host of the peer URL; tls.ca must hold the CA that issued it"
        }
        if let error = error as? HTTPClientError { return "\(error)" }
        return String(describing: error)
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }

    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
