import AsyncHTTPClient
import Foundation
import NAPModel
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SyncCore
import TestSupport
import Testing

/// A node whose replica is damaged tells its peers only that it cannot take part now: the repair advice is for
/// its own operator (in its log), and the sender is not counted as having sent something refused.
@Suite("a damaged replica behind HTTP")
struct DamagedReplicaHTTPTests {
    @Test("a push to a node whose replica is damaged gets 503 without the repair advice, and is not counted as refused")
    func pushToADamagedNode() async throws {
        // Given justice holding defence's record, then damaged (every origin renumbered behind its back), and
        // defence's edit of that record
        let fixture = try ReplicaFixture()
        let (justice, clockBefore, set) = try fixture.damagedReceiver(of: RecordKey.entry(.defence, year: 2014, line: "1.a"))

        try await withTestNode(exchange: justice) { url, _ in
            // When defence's edit is pushed to it
            var request = HTTPClientRequest(url: url + "/v1/changes")
            request.method = .POST
            request.headers.add(name: "Napsync-Protocol", value: "1")
            request.headers.add(name: "Content-Type", value: "application/octet-stream")
            request.body = .bytes(ByteBuffer(data: set))
            let response = try await testHTTPClient.execute(request, timeout: .seconds(10))
            let answer = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            // Then the sender is told to come back later, without advice meant for justice's operator
            #expect(response.status.code == 503)
            let body = try #require(try JSONSerialization.jsonObject(with: answer) as? [String: Any])
            #expect(body["error"] as? String == "replica-unavailable")
            let message = try #require(body["message"] as? String)
            #expect(message.contains("damaged"))
            #expect(!message.contains("napsync init"), "\(message)")
            // ... and nothing is counted against it as refused
            let metrics = try await get(url + "/metrics")
            #expect(!metrics.contains("napsync_changes_refused_total"), "\(metrics)")
        }
        #expect(try justice.quarantined().isEmpty)
        #expect(try justice.clock() == clockBefore)
    }
}
