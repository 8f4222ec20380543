import AsyncHTTPClient
import Foundation
import NAPModel
import NIOCore
import NIOHTTP1
import SyncCore
import SyncServer

/// Issue 4, item 7: a sync round between converged nodes, over HTTP on 127.0.0.1. The coordinator is served in
/// this process by ``NapsyncDaemon``; a Defence node that holds the same data runs one session against it, as
/// `napsync sync --direct` does (``SyncClient/syncDirectly``). Both have joined the network, so every request and
/// answer is signed and checked. With nothing to exchange the session is a `GET /v1/hello` and a comparison of
/// clocks; the target is that neither its time nor its bytes grow with the number of records. The smallest replica
/// is the baseline; a bare HTTP round trip (`GET /health`, same client, same server) is measured in the same rounds
/// as context, and so is the same session between nodes that have not joined a network (development mode: nothing
/// is signed), at the smallest and the largest size.
public enum SyncRoundBenchmark {
    /// "Flat within noise", as for 4: at most this ratio between the largest and the smallest replica.
    public static let flat = Target.atMost(1.25)
    /// Bytes may differ by a few digits of a time stamp, not with the data.
    public static let flatBytes = Target.atMost(1.02)

    struct Subject: Sendable {
        let records: Int
        let joined: Bool
        let coordinator: Replica
        let node: Replica
    }

    static func run(_ options: SyncBenchOptions, log: @escaping @Sendable (String) -> Void) async throws -> [ReportRow] {
        // Joined nodes at every size, then unjoined ones (development mode) at the smallest and largest: context.
        var subjects: [Subject] = []
        let plan = options.roundSizes.map { ($0, true) } + [options.roundSizes[0], options.roundSizes.last!].map { ($0, false) }
        for (size, joined) in plan {
            let seconds = try Measure.seconds {
                subjects.append(try build(records: size, joined: joined, options: options))
            }
            log("5 built two converged, \(joined ? "joined" : "unjoined") nodes of \(size.formatted()) records in \(Format.duration(seconds))")
        }
        let all = subjects
        return try await withServed(all.map(\.coordinator)) { urls in
            try await HTTPClient.withPeerClient(requestTimeout: .seconds(60)) { client in
                try await measure(all, urls: urls, client: client, options: options, log: log)
            }
        }
    }

    /// The Defence node writes `records` interventions offline; nine other departments' nodes write 10 each (so
    /// the clocks have the entries a real network's have); the coordinator receives everything and the Defence
    /// node the others' records. Setup moves change sets directly, not over HTTP.
    static func build(records: Int, joined: Bool, options: SyncBenchOptions) throws -> Subject {
        let directory = options.directory.appendingPathComponent("round-\(records)-\(joined ? "joined" : "unjoined")")
        let others = Department.allCases.filter { $0 != BenchPlan.department }.prefix(options.departments - 1)
        let network = try JoinedNetwork.make(in: directory, departments: [BenchPlan.department] + others, joined: joined)
        let node = network.departments[0]
        var generator = InterventionGenerator(seed: options.suite.seed &+ 0x51)
        try BenchReplicas.fill(node, records: records, generator: &generator)
        for (offset, (department, other)) in zip(others, network.departments.dropFirst()).enumerated() {
            var generator = InterventionGenerator(seed: options.suite.seed &+ 0x52 &+ UInt64(offset), department: department)
            try BenchReplicas.fill(other, records: 10, generator: &generator)
            try copyMissing(from: other, to: network.coordinator)
        }
        try copyMissing(from: node, to: network.coordinator)
        try copyMissing(from: network.coordinator, to: node)
        guard try node.clock() == network.coordinator.clock() else { throw BenchError("5: the nodes did not converge") }
        return Subject(records: records, joined: joined, coordinator: network.coordinator, node: node)
    }

    static func measure(
        _ subjects: [Subject], urls: [String], client: HTTPClient, options: SyncBenchOptions,
        log: @Sendable (String) -> Void
    ) async throws -> [ReportRow] {
        /// One converged session; fails if anything moved.
        func round(_ index: Int) async throws {
            let summary = try await session(subjects[index].node, with: urls[index], client: client)
            guard summary.applied == 0, summary.pushed == 0, summary.alreadyKnown == 0 else {
                throw BenchError("5: converged nodes exchanged changes (\(summary))")
            }
        }
        func health(_ url: String) async throws {
            let response = try await client.execute(HTTPClientRequest(url: "\(url)/health"), timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok else { throw BenchError("5: GET /health answered \(response.status)") }
        }

        log("5 measuring sessions between converged nodes (\(options.rounds) rounds)")
        // Sides: a session at each size, then the bare round trip on the smallest node's server; the order rotates.
        let sides = subjects.count + 1
        var samples = (0..<sides).map { _ in Samples() }
        for roundNumber in -1..<options.rounds {
            for turn in 0..<sides {
                let side = (turn + roundNumber + 1) % sides
                let seconds: Double
                if side < subjects.count {
                    seconds = try await Measure.perAsyncCall(minCalls: 1) { try await round(side) }
                } else {
                    seconds = try await Measure.perAsyncCall(budget: 0.05) { try await health(urls[0]) }
                }
                if roundNumber >= 0 { samples[side].append(seconds) }
            }
        }
        let largest = options.roundSizes.count - 1
        let unjoined = (small: largest + 1, large: largest + 2)
        let reset = ProcessMemory.resetPeak()
        let before = ProcessMemory.resident()
        for _ in 0..<5 { try await round(largest) }
        let peak = reset ? ProcessMemory.peakResident().flatMap { peak in before.map { max(0, peak - $0) } } : nil

        // Bytes on the wire: the same exchanges once more, through a counting relay in front of each server.
        var sessionBytes: [(toServer: Int, toClient: Int)] = []
        var healthBytes = (toServer: 0, toClient: 0)
        for (index, url) in urls.enumerated() {
            guard let port = URLComponents(string: url)?.port else { throw BenchError("5: no port in \(url)") }
            let relay = try await CountingRelay.start(to: port)
            do {
                let summary = try await session(subjects[index].node, with: relay.url, client: client)
                guard summary.applied == 0, summary.pushed == 0 else { throw BenchError("5: changes moved via the relay") }
                sessionBytes.append(relay.bytes)
                if index == 0 {
                    let before = relay.bytes
                    try await health(relay.url)
                    let after = relay.bytes
                    healthBytes = (after.toServer - before.toServer, after.toClient - before.toClient)
                }
                try await relay.stop()
            } catch {
                try? await relay.stop()
                throw error
            }
        }

        func at(_ index: Int) -> String { "\(subjects[index].records.formatted()) records" }
        func total(_ bytes: (toServer: Int, toClient: Int)) -> Int { bytes.toServer + bytes.toClient }
        func bytesText(_ bytes: (toServer: Int, toClient: Int)) -> String {
            "\(total(bytes)) B (\(bytes.toServer) up, \(bytes.toClient) down)"
        }
        let time = Paired(subject: samples[largest], baseline: samples[0])
        let bare = Paired(subject: samples[0], baseline: samples[subjects.count])
        let open = Paired(subject: samples[unjoined.large], baseline: samples[unjoined.small])
        let openBytes = Double(total(sessionBytes[unjoined.large])) / Double(total(sessionBytes[unjoined.small]))
        let byteRatio = Double(total(sessionBytes[largest])) / Double(total(sessionBytes[0]))
        return [
            ReportRow(
                id: "5a", name: "converged nodes: one sync session over HTTP (joined, signed)",
                figure: "\(Format.duration(time.subject.median)) at \(at(largest))",
                baseline: "\(Format.duration(time.baseline.median)) at \(at(0))", ratio: time.ratio, spread: time.spread,
                target: flat, memory: Format.memory(peak)),
            ReportRow(
                id: "5b", name: "converged nodes: bytes on the wire per session",
                figure: "\(bytesText(sessionBytes[largest])) at \(at(largest))",
                baseline: "\(bytesText(sessionBytes[0])) at \(at(0))", ratio: byteRatio, target: flatBytes),
            ReportRow(
                id: "5c", name: "  context: session against a bare HTTP round trip",
                figure: "\(Format.duration(bare.subject.median)) (5a at \(at(0)))",
                baseline: "\(Format.duration(bare.baseline.median)) (GET /health, same client and server)",
                ratio: bare.ratio, spread: bare.spread),
            ReportRow(
                id: "5d", name: "  context: bytes of the bare round trip",
                figure: "\(bytesText(sessionBytes[0])) (5b at \(at(0)))",
                baseline: "\(bytesText(healthBytes)) (GET /health)",
                ratio: Double(total(sessionBytes[0])) / Double(total(healthBytes))),
            ReportRow(
                id: "5e", name: "  context: 5a with unjoined nodes (development mode, unsigned)",
                figure: "\(Format.duration(open.subject.median)) at \(at(unjoined.large))",
                baseline: "\(Format.duration(open.baseline.median)) at \(at(unjoined.small))", ratio: open.ratio,
                spread: open.spread, target: flat),
            ReportRow(
                id: "5f", name: "  context: 5b with unjoined nodes",
                figure: "\(bytesText(sessionBytes[unjoined.large])) at \(at(unjoined.large))",
                baseline: "\(bytesText(sessionBytes[unjoined.small])) at \(at(unjoined.small))", ratio: openBytes,
                target: flatBytes),
        ]
    }
}
