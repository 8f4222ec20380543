import AsyncHTTPClient
import Foundation
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SyncCore
import Testing

@testable import SyncServer

@Suite("Sync over HTTP on 127.0.0.1, with fake replicas")
struct HTTPSyncTests {
    @Test("one session pulls what the server has and pushes what it lacks")
    func pullPushRoundTrip() async throws {
        // Given a server holding 7 changes and a client holding 5 others
        let server = FakeExchange()
        let client = FakeExchange()
        server.record(7, prefix: "server")
        client.record(5, prefix: "client")

        try await withTestNode(exchange: server) { url, _ in
            // When the client syncs once
            let (summary, failure) = await runSession(client, with: url)

            // Then both hold the same 12 changes
            #expect(failure == nil)
            #expect(summary.applied == 7)
            #expect(summary.pushed == 5)
            #expect(summary.peerApplied == 5)
            #expect(summary.lagAfter == Lag(inbound: 0, outbound: 0))
            #expect(server.digest == client.digest)
            #expect(server.changeCount == 12)

            // And a second session finds nothing to exchange
            let (again, _) = await runSession(client, with: url)
            #expect(again.applied == 0 && again.pushed == 0 && again.chunksIn == 0 && again.chunksOut == 0)
        }
    }

    @Test("a long backlog travels in bounded chunks both ways")
    func chunkedCatchUp() async throws {
        let server = FakeExchange()
        let client = FakeExchange()
        server.record(1000, prefix: "s")
        client.record(333, prefix: "c")

        try await withTestNode(exchange: server, configure: { $0.chunkSize = 64 }) { url, _ in
            // The client asks for 100 per chunk; the server caps at its own 64.
            let (summary, failure) = await runSession(client, with: url, chunk: 100)
            #expect(failure == nil)
            #expect(summary.applied == 1000)
            #expect(summary.chunksIn == 16)  // ceil(1000 / 64)
            #expect(summary.pushed == 333)
            #expect(summary.chunksOut == 6)  // ceil(333 / 64): the hello told the client the server's limit
            #expect(server.largestChunk <= 64)
            #expect(client.largestChunk <= 64)
            #expect(server.digest == client.digest)
        }
    }

    @Test("a session cut midway resumes where it stopped, without resending what arrived")
    func resumeAfterCut() async throws {
        let server = FakeExchange()
        let client = FakeExchange()
        server.record(50, prefix: "s")
        // The server fails while serving the third chunk.
        server.failChangeSetCalls([3])

        try await withTestNode(exchange: server, configure: { $0.chunkSize = 10 }) { url, _ in
            let (first, failure) = await runSession(client, with: url, chunk: 10)
            #expect(failure != nil)
            #expect(first.outcome == .failed)
            #expect(first.applied == 20)
            #expect(client.changeCount == 20)

            let (second, secondFailure) = await runSession(client, with: url, chunk: 10)
            #expect(secondFailure == nil)
            #expect(second.applied == 30)
            #expect(second.alreadyKnown == 0)
            #expect(server.digest == client.digest)
        }
    }

    @Test("a response cut mid-body applies nothing of the cut chunk, and the next session completes")
    func cutMidBody() async throws {
        let server = FakeExchange()
        let client = FakeExchange()
        server.record(30, prefix: "s")
        try await withCuttingNode(exchange: server, chunk: 10, cutOnPull: 2) { url in
            let (first, failure) = await runSession(client, with: url, chunk: 10, direction: .pull)
            #expect(failure?.isUnreachable == true, "\(String(describing: failure))")
            #expect(first.applied == 10)  // the first chunk arrived whole; the second was cut
            #expect(client.changeCount == 10)
            let (second, secondFailure) = await runSession(client, with: url, chunk: 10, direction: .pull)
            #expect(secondFailure == nil)
            #expect(second.applied == 20)
            #expect(second.alreadyKnown == 0)
            #expect(server.digest == client.digest)
        }
    }

    @Test("a peer client does not retry a refused connection, and connects within at most 10 s")
    func peerClientConfiguration() {
        // A client that retried would report an unreachable peer only after its connect timeout (AsyncHTTPClient
        // retries a refused connection until then); the session's own backoff does the retrying.
        let configuration = HTTPClient.peerConfiguration(requestTimeout: .seconds(30))
        #expect(configuration.connectionPool.retryConnectionEstablishment == false)
        #expect(configuration.timeout.connect == .seconds(10))
        #expect(configuration.timeout.read == .seconds(30))
        #expect(HTTPClient.peerConfiguration(requestTimeout: .seconds(4)).timeout.connect == .seconds(4))
    }

    @Test("a refused connection is reported as unreachable, naming the refusal")
    func refusedConnection() async throws {
        let client = HTTPClient.makeForPeers(requestTimeout: .seconds(30))
        let refusing = try RefusingPort()  // bound, never listening: no test server can take it meanwhile
        defer { refusing.close() }
        let peer = HTTPPeerTransport(
            baseURL: "http://127.0.0.1:\(refusing.port)", client: client, localNode: .random(), requestTimeout: .seconds(30),
            maxBodyBytes: 1 << 20)
        // Judged by the error, not by a stopwatch, which a loaded machine stretches; that it comes at once rests
        // on the client not retrying (peerClientConfiguration).
        await #expect {
            _ = try await peer.hello()
        } throws: { error in
            guard case SyncFailure.unreachable(let reason) = error else { return false }
            return reason.lowercased().contains("refused")
        }
        try await client.shutdown()
    }

    @Test("a request of another protocol version gets 426 and a JSON error naming the supported versions")
    func versionRefusal() async throws {
        try await withTestNode(exchange: FakeExchange()) { url, _ in
            for (path, header) in [("/v1/hello", "2"), ("/v2/hello", "2"), ("/v1/hello", nil)] {
                var request = HTTPClientRequest(url: url + path)
                if let header { request.headers.add(name: "Napsync-Protocol", value: header) }
                let response = try await testHTTPClient.execute(request, timeout: .seconds(5))
                let body = try await response.body.collect(upTo: 1 << 16)
                #expect(response.status == .upgradeRequired, "\(path) \(header ?? "-")")
                let error = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: body))
                #expect(error.error == "incompatible-protocol")
                #expect(error.supportedVersions == [1])
                #expect(response.headers.first(name: "Upgrade") == "napsync/1")
            }
        }
    }

    @Test("a client meeting a node of another version fails with incompatibleProtocol")
    func clientSeesRefusal() async throws {
        // Given a "future" node: one that answers every /v1 request with 426 (as a v2-only node would)
        try await withFutureNode { url in
            let (summary, failure) = await runSession(FakeExchange(), with: url)
            #expect(failure == .incompatibleProtocol(peerVersions: [2]))
            #expect(summary.outcome == .failed)
        }
    }

    @Test("a pushed change set larger than the limit gets 413 with a JSON error; a broken one gets 422")
    func limitsAndRefusals() async throws {
        let server = FakeExchange()
        try await withTestNode(exchange: server, configure: { $0.maxBodyBytes = 4096 }) { url, _ in
            let node = NodeID.random()
            let peer = transport(to: url, from: node)
            do {
                _ = try await peer.push(
                    OutgoingChangeSet(
                        data: Data(count: 10_000), changeCount: 1, peerClockAfter: VectorClock(), hasMore: false))
                Issue.record("expected a refusal")
            } catch let failure as SyncFailure {
                guard case .peerError(413, "body-too-large", _) = failure else { Issue.record("\(failure)"); return }
            }
            // A chunk with a gap (seq 2 without seq 1) is refused whole.
            let gap = try JSONEncoder().encode([FakeExchange.FakeChange(origin: node, seq: 2, payload: "x")])
            do {
                _ = try await peer.push(
                    OutgoingChangeSet(data: gap, changeCount: 1, peerClockAfter: VectorClock(), hasMore: false))
                Issue.record("expected a refusal")
            } catch let failure as SyncFailure {
                guard case .peerError(422, "change-set-refused", _) = failure else {
                    Issue.record("\(failure)"); return
                }
            }
            #expect(server.changeCount == 0)
            let metrics = try await get(url + "/metrics")
            #expect(metrics.contains("napsync_changes_refused_total"))
        }
    }

    @Test("health says ready with the node id; metrics count syncs, bytes and lag")
    func healthAndMetrics() async throws {
        let server = FakeExchange()
        server.record(3)
        let peerNode = FakeExchange()
        peerNode.record(2)
        try await withTestNode(exchange: peerNode) { peerURL, _ in
            try await withTestNode(exchange: server, peers: [peerURL]) { url, daemon in
                let health = try JSONDecoder().decode(
                    HealthState.Report.self, from: Data(try await get(url + "/health").utf8))
                #expect(health.ready)
                #expect(health.status == .ready)
                #expect(health.node == server.nodeID)

                // The daemon syncs with its peer at start; ask once more through the local endpoint.
                var request = HTTPClientRequest(url: url + "/v1/local/sync")
                request.method = .POST
                let response = try await testHTTPClient.execute(request, timeout: .seconds(10))
                #expect(response.status == .ok)
                let body = try await response.body.collect(upTo: 1 << 20)
                let sessions = try JSONDecoder().decode(SyncNowResponseBody.self, from: Data(buffer: body)).sessions
                #expect(sessions.count == 1)
                #expect(sessions.first?.outcome == .completed)
                #expect(server.digest == peerNode.digest)

                let metrics = try await get(url + "/metrics")
                #expect(metrics.contains("napsync_syncs_total{peer=\"\(peerURL)\",outcome=\"completed\"}"))
                #expect(metrics.contains("napsync_bytes_total{direction=\"in\"}"))
                #expect(metrics.contains("napsync_peer_lag_changes{peer=\"\(peerURL)\",direction=\"inbound\"} 0"))
                #expect(metrics.contains("napsync_peer_last_success_timestamp_seconds{peer=\"\(peerURL)\"}"))

                // Per-peer state is on disk for `napsync status`.
                let stored = try PeerStateStore(dataDirectory: daemon.configuration.dataDirectory).load()
                #expect(stored.first?.peer == peerURL)
                #expect(stored.first?.reachability == .reachable)
                #expect(stored.first?.node == peerNode.nodeID)
                #expect(stored.first?.lag == Lag(inbound: 0, outbound: 0))
            }
        }
    }
}

func get(_ url: String) async throws -> String {
    let response = try await testHTTPClient.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
    let body = try await response.body.collect(upTo: 1 << 20)
    return String(buffer: body)
}
