import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOFoundationCompat
import SyncCore

/// What `napsync sync` does: asks the local daemon to sync now, or, with no daemon running, syncs directly.
public enum SyncClient {
    /// `POST /v1/local/sync` on the local daemon. Throws ``SyncFailure/unreachable(_:)`` when no daemon answers.
    public static func requestSync(
        daemonURL: String, peer: String?, client: HTTPClient, timeout: Duration
    ) async throws -> [SyncSummary] {
        let base = daemonURL.hasSuffix("/") ? String(daemonURL.dropLast()) : daemonURL
        var request = HTTPClientRequest(url: "\(base)/\(ProtocolV1.pathPrefix)/local/sync")
        request.method = .POST
        request.headers.add(name: "Content-Type", value: ProtocolV1.jsonContentType)
        request.headers.add(name: ProtocolV1.Header.protocolVersion, value: String(ProtocolV1.version))
        request.body = .bytes(ByteBuffer(data: try JSONEncoder().encode(SyncNowRequestBody(peer: peer))))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .nanoseconds(timeout.nanoseconds))
        } catch {
            throw SyncFailure.unreachable("no daemon at \(base): \(HTTPPeerTransport.describe(error))")
        }
        let body = try await response.body.collect(upTo: 16 * 1024 * 1024)
        guard response.status == .ok else {
            let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(buffer: body))
            throw SyncFailure.peerError(
                status: Int(response.status.code), code: error?.error ?? "unknown",
                message: error?.message ?? "the daemon answered without a napsync error body")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return try decoder.decode(SyncNowResponseBody.self, from: Data(buffer: body)).sessions
    }

    /// Runs one session with each peer, one after the other, from this process. When `exchange` is a
    /// ``PeerAuthenticator`` (a ``Replica``) that has joined a network, requests are signed and answers checked.
    public static func syncDirectly(
        exchange: any ChangeSetExchange,
        peers: [String],
        configuration: NapsyncConfiguration,
        client: HTTPClient,
        metrics: SyncMetrics? = nil,
        logger: Logger
    ) async -> [SyncSummary] {
        var summaries: [SyncSummary] = []
        for peer in peers {
            let transport = HTTPPeerTransport(
                baseURL: peer, client: client, localNode: exchange.nodeID,
                requestTimeout: configuration.requestTimeout, maxBodyBytes: configuration.maxBodyBytes,
                authenticator: exchange as? any PeerAuthenticator)
            let driver = SyncSessionDriver(
                exchange: exchange, transport: transport, peer: peer, maxChanges: configuration.chunkSize,
                logger: logger.with(peer: peer))
            let (summary, failure) = await driver.run()
            metrics?.recordSession(summary, failure: failure)
            summaries.append(summary)
        }
        // Keep `napsync status` informed about direct syncs too, without disturbing other peers' entries.
        let store = PeerStateStore(dataDirectory: configuration.dataDirectory)
        do {
            var statuses = (try? store.load()) ?? []
            let now = Date()
            for summary in summaries {
                var status = statuses.first { $0.peer == summary.peer } ?? PeerStatus(peer: summary.peer)
                status.lastAttempt = now
                status.lastSession = summary
                if let node = summary.peerNode { status.node = node }
                if let lag = summary.lagAfter { status.lag = lag }
                if summary.outcome == .completed {
                    status.reachability = .reachable
                    status.lastSuccess = now
                    status.lastError = nil
                    status.consecutiveFailures = 0
                } else {
                    status.lastError = summary.error
                    // Saturating: the count is read back from peers.json, which a hand edit may have set to anything.
                    status.consecutiveFailures = max(0, status.consecutiveFailures).addingSaturating(1)
                }
                statuses.removeAll { $0.peer == summary.peer }
                statuses.append(status)
            }
            try store.save(statuses, node: exchange.nodeID)
        } catch {
            logger.warning("cannot write peer state", metadata: ["error": "\(error)", "file": "\(store.fileURL.path)"])
        }
        return summaries
    }
}
