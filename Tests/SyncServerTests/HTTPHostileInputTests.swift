import AsyncHTTPClient
import Foundation
import NAPModel
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import SyncCore
import TestSupport
import Testing

@testable import SyncServer

/// Mutated HTTP requests against a joined node: damaged change sets signed by an admitted member (so they get
/// past authentication to the decoder), garbage clocks, wrong headers. The node answers every one with a 4xx
/// and a JSON error, applies nothing it should not, and keeps serving.
@Suite("Hostile HTTP input")
struct HTTPHostileInputTests {
    static let seeds: [UInt64] = [5, 6]
    static let casesPerSeed = 150

    @Test("mutated requests get a clear 4xx and change nothing", arguments: seeds)
    func mutatedRequests(seed: UInt64) async throws {
        let network = try JoinedNetwork()
        let (coordinator, defence) = (network.coordinator, network.defence)
        try defence.write { writer in
            for line in ["1.a", "3.d", "5.a"] { try writer.set(.entry(.defence, year: 2014, line: line), fields: ["status": .text("ongoing")]) }
        }
        let valid = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 100)).data
        let clock = try coordinator.currentClock()
        try await withTestNode(exchange: coordinator) { url, _ in
            var random = SplitMix64(seed: seed)
            for trial in 0..<Self.casesPerSeed {
                let (path, body, contentType): (String, Data, String)
                switch Int.random(in: 0..<3, using: &random) {
                case 0:
                    (path, body, contentType) = ("/v1/changes", HostileMutations.mutate(valid, &random), "application/octet-stream")
                case 1:
                    let garbage = (0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
                    (path, body, contentType) = ("/v1/changes/pull", Data(garbage), "application/json")
                default:
                    let json = ["{\"clock\":{\"zz\":1}}", "{\"clock\":[]}", "{}", "{\"clock\":{\"\(defence.nodeID.hex)\":-1}}", "null"]
                    (path, body, contentType) = ("/v1/changes/pull", Data(json.randomElement(using: &random)!.utf8), "application/json")
                }
                var request = HTTPClientRequest(url: url + path)
                request.method = .POST
                request.headers.add(name: "Napsync-Protocol", value: "1")
                request.headers.add(name: "Content-Type", value: contentType)
                for (name, value) in try defence.authenticate(kind: "request", method: "POST", path: path, body: body).headers {
                    request.headers.add(name: name, value: value)
                }
                request.body = .bytes(ByteBuffer(data: body))
                let response = try await testHTTPClient.execute(request, timeout: .seconds(10))
                let answer = Data(buffer: try await response.body.collect(upTo: 1 << 24))
                if response.status.code >= 400 {
                    #expect((400..<500).contains(response.status.code), "seed \(seed) trial \(trial): \(response.status) for \(path)")
                    #expect((try? JSONSerialization.jsonObject(with: answer)) != nil, "seed \(seed) trial \(trial): error body is not JSON")
                } else if path == "/v1/changes" {
                    // Accepted only if it meant exactly what the member sent: the coordinator then holds Defence's data.
                    #expect(try coordinator.canonicalExport().digest() == defence.canonicalExport().digest(), "seed \(seed) trial \(trial)")
                }
            }
            // The node still serves.
            var hello = HTTPClientRequest(url: url + "/v1/hello")
            hello.headers.add(name: "Napsync-Protocol", value: "1")
            for (name, value) in try defence.authenticate(kind: "request", method: "GET", path: "/v1/hello", body: Data()).headers {
                hello.headers.add(name: name, value: value)
            }
            #expect(try await testHTTPClient.execute(hello, timeout: .seconds(10)).status == .ok)
        }
        let after = try coordinator.currentClock()
        let withDefence = clock.merged(with: try defence.currentClock())
        #expect(after == clock || after == withDefence, "seed \(seed)")
        #expect(try coordinator.integrityProblems().isEmpty)
    }
}
