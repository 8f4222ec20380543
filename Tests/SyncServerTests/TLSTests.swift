import AsyncHTTPClient
import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

@testable import SyncServer

/// The daemon serves and syncs over TLS, with a self-signed certificate made for the test by `openssl`.
@Suite("TLS between nodes on 127.0.0.1")
struct TLSTests {
    @Test("a node serving HTTPS syncs with a client that trusts its certificate; one that does not fails clearly")
    func syncOverTLS() async throws {
        // Given a joined coordinator serving HTTPS with a self-signed certificate for 127.0.0.1
        let fixture = try ReplicaFixture()
        let coordinator = try fixture.make(.coordinator, name: "coordinator")
        let defence = try fixture.make(.defence, name: "defence")
        try fixture.join([defence], to: coordinator)
        let entry = RecordKey.entry(.defence, year: 2014, line: "1.a")
        try defence.set(entry, fields: ["status": .text("done")])
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (certificate, key) = try await makeSelfSignedCertificate(in: directory)

        var clientConfiguration = NapsyncConfiguration(dataDirectory: directory)
        clientConfiguration.tlsCA = certificate
        let trusting = HTTPClient.makeForPeers(
            requestTimeout: .seconds(5), tls: try NapsyncTLS(configuration: clientConfiguration).client)
        let distrusting = HTTPClient.makeForPeers(requestTimeout: .seconds(5))

        try await withTestNode(
            exchange: coordinator,
            configure: {
                $0.tlsCertificate = certificate
                $0.tlsKey = key
            }
        ) { url, _ in
            #expect(url.hasPrefix("https://127.0.0.1:"))

            // When a client that trusts only the system's CAs connects, then it fails, saying what to fix
            let (_, refused) = await runSession(defence, with: url, client: distrusting)
            #expect(refused?.isUnreachable == true)
            #expect(refused?.description.contains("tls.ca") == true, "\(String(describing: refused))")

            // When a client that trusts the certificate syncs, then the session completes
            let (summary, failure) = await runSession(defence, with: url, client: trusting)
            #expect(failure == nil)
            #expect(summary.pushed == 1)
            let applied = try coordinator.state(of: entry)
            #expect(applied != nil)
        }
        try await trusting.shutdown()
        try await distrusting.shutdown()
    }

    @Test("an unreadable certificate or key is a configuration error naming the key")
    func badFiles() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let garbage = directory.appendingPathComponent("garbage.pem")
        try "not a certificate".write(to: garbage, atomically: true, encoding: .utf8)
        var configuration = NapsyncConfiguration(dataDirectory: directory)
        configuration.tlsCertificate = garbage.path
        configuration.tlsKey = garbage.path
        let error = #expect(throws: ConfigurationError.self) { try NapsyncTLS(configuration: configuration) }
        #expect(error.map { "\($0)" }?.contains("tls.certificate") == true)
    }
}

/// `openssl req -x509`: an EC key and a self-signed certificate for IP 127.0.0.1, valid one day.
func makeSelfSignedCertificate(in directory: URL) async throws -> (certificate: String, key: String) {
    let certificate = directory.appendingPathComponent("node.pem").path
    let key = directory.appendingPathComponent("node.key").path
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [
        "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
        "-keyout", key, "-out", certificate, "-days", "1", "-subj", "/CN=napsync test node",
        "-addext", "subjectAltName=IP:127.0.0.1",
    ]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    // Wait without blocking a thread of the cooperative pool, which the other tests share.
    let status = try await withCheckedThrowingContinuation {
        (continuation: CheckedContinuation<Int32, any Error>) in
        process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
        do {
            try process.run()
        } catch {
            process.terminationHandler = nil
            continuation.resume(throwing: error)
        }
    }
    try #require(status == 0, "openssl req -x509 failed")
    return (certificate, key)
}
