import AsyncHTTPClient
import Foundation
import NAPModel
import SyncCore
import SyncServer

/// 6f: the convergence of 6a with every node a daemon in its own process, as deployed (one `napsync serve` per
/// department): ten department children and the coordinator's, each ``ChildNode``. The benchmark tells each
/// department daemon to sync with the coordinator through its loopback endpoint `POST /v1/local/sync`
/// (`SyncClient.requestSync`, as `napsync sync` does), all at once, twice (as 6a runs two sessions per node), and times the two rounds.
enum ProcessConvergence {
    /// The round's times, `peak` (the largest peak resident size of one department process) and `coordinatorPeak`;
    /// the bundle baselines of 6a are not run again.
    static func round(
        edits: Int, options: SyncBenchOptions, log: @escaping @Sendable (String) -> Void
    ) async throws -> ConvergenceBenchmark.Round {
        let directory = options.directory.appendingPathComponent("converge-processes")
        defer { try? FileManager.default.removeItem(at: directory) }
        let departments = Array(Department.allCases.prefix(options.departments))
        let network = try JoinedNetwork.make(in: directory, departments: departments, joined: true)
        for (offset, (department, node)) in zip(departments, network.departments).enumerated() {
            var generator = InterventionGenerator(seed: options.suite.seed &+ 0x60 &+ UInt64(offset), department: department)
            try ConvergenceBenchmark.writeEdits(node, count: edits, generator: &generator)
        }
        log("6f \(departments.count) joined nodes made \(edits.formatted()) changes each; starting \(departments.count + 1) processes")

        var children: [ChildNode] = []
        let client = HTTPClient.makeForPeers(requestTimeout: .seconds(300))
        do {
            let chunkSize = options.suite.syncChunkSize
            let coordinator = try await ChildNode.start(serving: network.coordinator.directory, chunkSize: chunkSize)
            children.append(coordinator)
            for node in network.departments {
                children.append(try await ChildNode.start(serving: node.directory, chunkSize: chunkSize))
            }
            let nodes = Array(children.dropFirst())
            var outcome = ConvergenceBenchmark.Round()
            outcome.push = try await Measure.timed { try await syncAll(nodes, with: coordinator.url, client: client) }.seconds
            outcome.pull = try await Measure.timed { try await syncAll(nodes, with: coordinator.url, client: client) }.seconds
            outcome.peak = nodes.compactMap(\.peakResident).max()
            outcome.coordinatorPeak = coordinator.peakResident
            for child in children { try await child.stop() }
            try await client.shutdown()
            // The children wrote the files this process opened before them: read back, every clock is the same.
            let clock = try network.coordinator.clock()
            guard clock.entries.values.reduce(0, +) >= UInt64(departments.count * edits) else {
                throw BenchError("6f: the coordinator holds \(clock.entries.values.reduce(0, +)) changes")
            }
            for node in network.departments where try node.clock() != clock {
                throw BenchError("6f: node \(node.nodeID) did not converge after two sessions")
            }
            log("6f converged in \(Format.duration(outcome.convergence)) (push round \(Format.duration(outcome.push)), pull round \(Format.duration(outcome.pull)))")
            return outcome
        } catch {
            for child in children { try? await child.stop() }
            try? await client.shutdown()
            throw error
        }
    }

    /// Tells every node to sync with `peer` now, all at once, and waits for every session to complete.
    static func syncAll(_ nodes: [ChildNode], with peer: String, client: HTTPClient) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for node in nodes {
                group.addTask {
                    // What `napsync sync` does with a running daemon.
                    let sessions = try await SyncClient.requestSync(daemonURL: node.url, peer: peer, client: client, timeout: .seconds(300))
                    guard let session = sessions.first, session.outcome == .completed else {
                        throw BenchError("6f: a session of \(node.url) failed: \(sessions.first?.error ?? "no session")")
                    }
                }
            }
            try await group.waitForAll()
        }
    }
}
