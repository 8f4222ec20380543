import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import NAPModel
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SyncCore
import TestSupport
import Testing

@testable import SyncServer

/// Nodes of a network authenticate each other at the HTTP layer, with real replicas on 127.0.0.1.
@Suite("Peer authentication over HTTP")
struct PeerAuthenticationHTTPTests {
    static let entry = RecordKey.entry(.defence, year: 2014, line: "1.a")

    let fixture: ReplicaFixture
    let coordinator: Replica
    let defence: Replica

    init() throws {
        fixture = try ReplicaFixture()
        coordinator = try fixture.make(.coordinator, name: "coordinator")
        defence = try fixture.make(.defence, name: "defence")
        try fixture.join([defence], to: coordinator)
    }

    @Test("members of one network sync; the server signs its answers and names its network in hello")
    func membersSync() async throws {
        let (coordinator, defence) = (self.coordinator, self.defence)
        try defence.set(Self.entry, fields: ["status": .text("done")])
        let capture = LogCapture()
        try await withTestNode(exchange: coordinator, logger: capture.logger()) { url, _ in
            let (summary, failure) = await runSession(defence, with: url)
            #expect(failure == nil)
            #expect(summary.pushed == 1)
            #expect(try coordinator.state(of: Self.entry) != nil)

            let (response, body) = try await Self.send(.GET, url, "hello", signedBy: defence)
            #expect(response.status == .ok)
            let hello = try JSONDecoder().decode(HelloResponse.self, from: body)
            #expect(hello.network == (try coordinator.networkFingerprint()))
            #expect(response.headers.first(name: MessageAuthentication.signatureHeader) != nil)
        }
        #expect(capture.count(containing: "has not joined a network") == 0)
    }

    enum Refusal: String, CaseIterable, CustomTestStringConvertible {
        case noHeaders = "missing-headers"
        case neverAdmitted = "unknown-node"
        case revoked
        case tamperedBody = "bad-signature"
        case staleTimestamp = "clock-skew"

        var testDescription: String { rawValue }
    }

    @Test("a joined node refuses, with 401 and applying nothing:", arguments: Refusal.allCases)
    func refusal(_ refusal: Refusal) async throws {
        // Given a change set from the defence node, and the request it would send
        try defence.set(Self.entry, fields: ["status": .text("done")])
        let outgoing = try #require(try defence.changeSet(missingFrom: try coordinator.currentClock(), maxChanges: 10))
        let path = "/v1/changes"
        var body = outgoing.data
        var authentication: MessageAuthentication? = try defence.authenticate(
            kind: "request", method: "POST", path: path, body: body)
        switch refusal {
        case .noHeaders:
            authentication = nil
        case .neverAdmitted:
            // A node admitted by nobody here: its own "coordinator" certified it, and it claims this network.
            let rogueCoordinator = try fixture.make(.coordinator, name: "rogue")
            let outsider = try fixture.make(.defence, name: "outsider")
            try fixture.join([outsider], to: rogueCoordinator)
            var signed = try outsider.authenticate(kind: "request", method: "POST", path: path, body: body)
            var certificate = try MembershipCertificate.decode(try #require(Data(base64Encoded: signed.certificate)))
            certificate.network = try #require(try coordinator.networkFingerprint())
            signed.certificate = certificate.encoded().base64EncodedString()
            authentication = signed
        case .revoked:
            try coordinator.revoke(defence.nodeID, reason: "laptop stolen")
        case .tamperedBody:
            body = Data(body.reversed())
        case .staleTimestamp:
            authentication = try defence.authenticate(
                kind: "request", method: "POST", path: path, body: body, now: Date().addingTimeInterval(-3600))
        }
        let clockBefore = try coordinator.currentClock()
        let capture = LogCapture()
        let coordinator = self.coordinator
        let (request, signed) = (body, authentication)

        try await withTestNode(exchange: coordinator, logger: capture.logger()) { url, daemon in
            // When it is pushed
            let (response, answer) = try await Self.send(
                .POST, url, "changes", body: request, authentication: signed,
                headers: [("Content-Type", "application/octet-stream")])

            // Then it is refused, unauthenticated, with the reason, and nothing is applied
            #expect(response.status == .unauthorized)
            let error = try JSONDecoder().decode(ErrorBody.self, from: answer)
            #expect(error.error == "unauthenticated")
            #expect(error.network == (try coordinator.networkFingerprint()))
            #expect(try coordinator.currentClock() == clockBefore)
            #expect(try coordinator.state(of: Self.entry) == nil)
            let logged = capture.all.filter { $0.contains("refused unauthenticated request") }
            #expect(logged.count == 1)
            #expect(logged.first?.contains("napsync.reason=\(refusal.rawValue)") == true)
            #expect(logged.first?.contains("napsync.peer.address=127.0.0.1:") == true)
            let metrics = String(decoding: daemon.metrics.render(), as: UTF8.self)
            #expect(metrics.contains("napsync_requests_refused_total{reason=\"\(refusal.rawValue)\"} 1"))
        }
    }

    @Test("a revoked node's own session fails clearly, and the coordinator keeps nothing of it")
    func revokedSession() async throws {
        let (coordinator, defence) = (self.coordinator, self.defence)
        try defence.set(Self.entry, fields: ["status": .text("done")])
        try coordinator.revoke(defence.nodeID, reason: "laptop stolen")
        try await withTestNode(exchange: coordinator) { url, _ in
            let (_, failure) = await runSession(defence, with: url)
            guard case .unauthenticated(let message) = failure else {
                Issue.record("expected an unauthenticated failure, got \(String(describing: failure))")
                return
            }
            #expect(message.contains("revoked"))
            let kept = try coordinator.state(of: Self.entry)
            #expect(kept == nil)
        }
    }

    @Test("a node of another network is refused up front, from either side, with a clear error")
    func otherNetwork() async throws {
        let (coordinator, defence) = (self.coordinator, self.defence)
        let otherCoordinator = try fixture.make(.coordinator, name: "other-coordinator")
        let stranger = try fixture.make(.justice, name: "stranger")
        try fixture.join([stranger], to: otherCoordinator)
        let ours = try #require(try coordinator.networkFingerprint())
        let theirs = try #require(try otherCoordinator.networkFingerprint())

        try await withTestNode(exchange: coordinator) { url, daemon in
            let (_, failure) = await runSession(stranger, with: url)
            #expect(failure == .wrongNetwork(local: theirs, peer: ours))
            let metrics = String(decoding: daemon.metrics.render(), as: UTF8.self)
            #expect(metrics.contains("napsync_requests_refused_total{reason=\"wrong-network\"} 1"))
        }
        // A node that never joined meets a joined one: both say so.
        let unjoined = try fixture.make(.equality, name: "unjoined")
        try await withTestNode(exchange: coordinator) { url, _ in
            let (_, failure) = await runSession(unjoined, with: url)
            #expect(failure == .wrongNetwork(local: nil, peer: ours))
        }
        try await withTestNode(exchange: unjoined) { url, _ in
            let (_, failure) = await runSession(defence, with: url)
            #expect(failure == .wrongNetwork(local: ours, peer: nil))
            #expect(failure?.description.contains("no network") == true)
        }
    }

    @Test(
        "a joined client uses no answer that an admitted member did not sign for it:",
        arguments: ["unsigned", "signed over another body"])
    func clientRefusesUnsignedAnswers(_ forgery: String) async throws {
        // Given a server that claims this network in its hello, but whose answer is unsigned or altered
        let (coordinator, defence) = (self.coordinator, self.defence)
        let network = try coordinator.networkFingerprint()
        let hello = HelloResponse(
            node: coordinator.nodeID, network: network, clock: VectorClock(),
            limits: .init(maxBodyBytes: 1 << 20, maxChangesPerChunk: 100))
        let body = try JSONEncoder().encode(hello)
        var headers: HTTPFields = [.contentType: "application/json"]
        if forgery != "unsigned" {
            let signed = try coordinator.authenticate(
                kind: "response", method: "200", path: "/v1/hello", body: Data("{}".utf8))
            for (name, value) in signed.headers { headers[HTTPField.Name(name)!] = value }
        }
        let router = Router()
        router.get("v1/hello") { [headers] _, _ -> Response in
            Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(data: body)))
        }
        try await withServer(router) { url in
            // When the defence node syncs with it, then it stops at the hello, saying why
            let (summary, failure) = await runSession(defence, with: url)
            guard case .unauthenticated(let message) = failure else {
                Issue.record("expected an unauthenticated failure, got \(String(describing: failure))")
                return
            }
            #expect(message.contains(forgery == "unsigned" ? "not signed" : "bad-signature"), "\(message)")
            #expect(summary.chunksIn == 0 && summary.chunksOut == 0)
        }
    }

    @Test("nodes that have not joined sync unauthenticated (development mode), with a warning at start")
    func developmentMode() async throws {
        let finance = try fixture.make(.equality, name: "finance")
        let justice = try fixture.make(.justice, name: "justice")
        try justice.set(RecordKey.entry(.justice, year: 2014, line: "1.a"), fields: ["status": .text("done")])
        let capture = LogCapture()
        try await withTestNode(exchange: finance, logger: capture.logger()) { url, _ in
            let (summary, failure) = await runSession(justice, with: url)
            #expect(failure == nil)
            #expect(summary.pushed == 1)
            let (response, body) = try await Self.send(.GET, url, "hello")
            #expect(response.headers.first(name: MessageAuthentication.signatureHeader) == nil)
            #expect(String(decoding: body, as: UTF8.self).contains("\"network\":null"))
        }
        #expect(capture.count(containing: "has not joined a network") == 1)
    }

    @Test("/health and /metrics stay open on a joined node; /v1/local/sync needs no signature from loopback")
    func openEndpoints() async throws {
        try await withTestNode(exchange: coordinator) { url, _ in
            for path in ["health", "metrics"] {
                var request = HTTPClientRequest(url: "\(url)/\(path)")
                request.method = .GET
                let response = try await testHTTPClient.execute(request, timeout: .seconds(5))
                #expect(response.status == .ok, "\(path)")
            }
            var local = HTTPClientRequest(url: "\(url)/v1/local/sync")
            local.method = .POST
            let response = try await testHTTPClient.execute(local, timeout: .seconds(5))
            #expect(response.status == .ok)
        }
    }

    /// Sends one `/v1/` request with `Napsync-Protocol: 1`, signed by `signer` if given (else with
    /// `authentication` as is), and returns the answer and its body.
    private static func send(
        _ method: HTTPMethod, _ url: String, _ path: String, body: Data = Data(), signedBy signer: Replica? = nil,
        authentication: MessageAuthentication? = nil, headers: [(String, String)] = []
    ) async throws -> (HTTPClientResponse, Data) {
        var request = HTTPClientRequest(url: "\(url)/v1/\(path)")
        request.method = method
        request.headers.add(name: "Napsync-Protocol", value: "1")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if method != .GET { request.body = .bytes(ByteBuffer(data: body)) }
        let authentication =
            try signer?.authenticate(kind: "request", method: method.rawValue, path: "/v1/\(path)", body: body)
            ?? authentication
        for (name, value) in authentication?.headers ?? [] { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await testHTTPClient.execute(request, timeout: .seconds(5))
        let answer = try await response.body.collect(upTo: 1 << 24)
        return (response, Data(buffer: answer))
    }
}
