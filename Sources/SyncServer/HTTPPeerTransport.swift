import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SyncCore

/// ``PeerTransport`` over HTTP/1.1 with AsyncHTTPClient. Bodies are read up to `maxBodyBytes`, so a peer cannot make
/// this node buffer more than one bounded chunk.
public struct HTTPPeerTransport: PeerTransport {
    public let baseURL: String
    let client: HTTPClient
    let localNode: NodeID
    let requestTimeout: Duration
    let maxBodyBytes: Int

    public init(baseURL: String, client: HTTPClient, localNode: NodeID, requestTimeout: Duration, maxBodyBytes: Int) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.client = client
        self.localNode = localNode
        self.requestTimeout = requestTimeout
        self.maxBodyBytes = maxBodyBytes
    }

    public func hello() async throws -> HelloResponse {
        let response = try await execute(makeRequest("hello", method: .GET))
        let body = try await collect(response)
        try checkStatus(response, body: body)
        return try decodeJSON(HelloResponse.self, from: body, what: "hello")
    }

    public func pull(_ pull: PullRequestBody) async throws -> PulledChunk? {
        var request = makeRequest("changes/pull", method: .POST)
        request.headers.add(name: "Content-Type", value: ProtocolV1.jsonContentType)
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(pull)))
        let response = try await execute(request)
        let body = try await collect(response)
        try checkStatus(response, body: body)
        if response.status == .noContent { return nil }
        guard response.status == .ok else {
            throw SyncFailure.protocolViolation("pull answered \(response.status.code), expected 200 or 204")
        }
        guard let count = response.headers.first(name: ProtocolV1.Header.changeCount).flatMap(Int.init),
            let more = response.headers.first(name: ProtocolV1.Header.hasMore)
        else {
            throw SyncFailure.protocolViolation(
                "pull response lacks \(ProtocolV1.Header.changeCount) or \(ProtocolV1.Header.hasMore)")
        }
        return PulledChunk(data: Data(buffer: body), changeCount: count, hasMore: more == "true")
    }

    public func push(_ changeSet: OutgoingChangeSet) async throws -> ApplyReport {
        var request = makeRequest("changes", method: .POST)
        request.headers.add(name: "Content-Type", value: ProtocolV1.changeSetContentType)
        request.headers.add(name: ProtocolV1.Header.changeCount, value: String(changeSet.changeCount))
        request.body = .bytes(ByteBuffer(data: changeSet.data))
        let response = try await execute(request)
        let body = try await collect(response)
        try checkStatus(response, body: body)
        return try decodeJSON(ApplyReport.self, from: body, what: "push")
    }

    // MARK: Helpers

    private func makeRequest(_ path: String, method: HTTPMethod) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: "\(baseURL)/\(ProtocolV1.pathPrefix)/\(path)")
        request.method = method
        request.headers.add(name: ProtocolV1.Header.protocolVersion, value: String(ProtocolV1.version))
        request.headers.add(name: ProtocolV1.Header.node, value: localNode.hex)
        request.headers.add(name: "User-Agent", value: NapsyncVersion.software)
        return request
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
