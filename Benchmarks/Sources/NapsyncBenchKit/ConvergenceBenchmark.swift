import AsyncHTTPClient
import Foundation
import NAPModel
import SyncCore
import SyncServer

/// Issue 4, item 7: ten department nodes (one per department) each make `editsPerNode` changes offline (half create
/// interventions, half edit one field of one of them), then converge through the coordinator, served by
/// ``NapsyncDaemon`` on 127.0.0.1 in a child process (``ChildNode``), whose peak resident size is the coordinator's
/// memory figure; the department nodes run in this process. Every node runs one session at the same
/// time (pull what is there, push its own changes), then every node runs a second one (pull the rest), each with its
/// own HTTP client, as `napsync sync --direct` does. Converged means every node's clock equals the coordinator's,
/// which names every change made.
///
/// The nodes of 6a-6d have joined a network, as deployed nodes do: every change set is signed by its origin and
/// verified by every replica, and every HTTP message is authenticated. 6e runs the same with unjoined nodes
/// (development mode: no signatures, no authentication), to show what trust costs. 6f runs it once more with every
/// department node a daemon in its own process (``ProcessConvergence``), as deployed.
///
/// Baselines from the same round: the same changes applied from one bundle (`ChangeBundle`, written by the
/// converged coordinator) to one new replica (joined when the nodes are) in one transaction, and raw SQLite upserts of the same rows.
public enum ConvergenceBenchmark {
    /// Seconds to full convergence the issue asks for, on this 2-core machine.
    public static let targetSeconds = 10.0

    struct Round {
        var push = 0.0
        var pull = 0.0
        var convergence: Double { push + pull }
        var peak: Int?
        var coordinatorPeak: Int?
        var coordinatorIdle: Int?
        var bundleApply = 0.0
        var bundlePeak: Int?
        var raw = 0.0
        var changes = 0
        var fieldChanges = 0
        var bundleBytes = 0
        var bytesUp = 0
        var bytesDown = 0
        var chunksUp = 0
        var chunksDown = 0
        /// One more node of a department, new and empty, pulling everything from the coordinator in one session.
        var catchUp = 0.0
    }

    static func run(_ options: SyncBenchOptions, log: @escaping @Sendable (String) -> Void) async throws -> [ReportRow] {
        var rounds: [Round] = []
        for number in 0..<options.convergenceRounds {
            rounds.append(try await round(number, edits: options.editsPerNode, joined: true, options: options, log: log))
        }
        let unjoined = try await round(
            options.convergenceRounds, edits: options.editsPerNode, joined: false, options: options, log: log)
        let processes = try await ProcessConvergence.round(edits: options.editsPerNode, options: options, log: log)
        func median(_ value: (Round) -> Double) -> Double { Samples(rounds.map(value)).median }
        func spread(_ ratio: (Round) -> Double) -> (low: Double, high: Double) {
            let values = rounds.map(ratio)
            return (values.min() ?? .nan, values.max() ?? .nan)
        }
        let convergence = median(\.convergence)
        let bundle = median(\.bundleApply)
        let raw = median(\.raw)
        let peak = rounds.compactMap(\.peak).max()
        let coordinatorPeak = rounds.compactMap(\.coordinatorPeak).max()
        let coordinatorIdle = rounds.compactMap(\.coordinatorIdle).max()
        let bundlePeak = rounds.compactMap(\.bundlePeak).max()
        let last = rounds[rounds.count - 1]
        let nodes = options.departments
        let edits = options.editsPerNode.formatted()
        let fields = Double(last.fieldChanges)
        return [
            ReportRow(
                id: "6a", name: "\(nodes) nodes x \(edits) offline changes: full convergence via the coordinator (joined, signed)",
                figure: "\(Format.duration(convergence)) (push round \(Format.duration(median(\.push))), pull round "
                    + "\(Format.duration(median(\.pull))))",
                baseline: "\(Format.duration(bundle)): the \(last.changes.formatted()) changes from one bundle to one replica",
                ratio: convergence / bundle, target: "< \(Format.fixed(targetSeconds, 0)) s",
                met: convergence < targetSeconds,
                memory: coordinatorPeak.map { "coordinator: \(Format.mebibytes($0)) peak RSS (own process)" } ?? ""),
            ReportRow(
                id: "6a'", name: "  context: the coordinator's memory",
                figure: "\(Format.mebibytes(coordinatorPeak)) peak RSS during 6a (its own process)",
                baseline: "\(Format.mebibytes(coordinatorIdle)) RSS listening, before the first session",
                ratio: Double(coordinatorPeak ?? 0) / Double(max(1, coordinatorIdle ?? 1))),
            ReportRow(
                id: "6a\"", name: "  context: the ten department nodes' process during 6a",
                figure: "peak RSS rise \(Format.memory(peak))",
                baseline: "no baseline: ten replicas, each writer with a page cache of up to 64 MiB"),
            ReportRow(
                id: "6b", name: "  context: the bundle apply against raw sqlite3 upserts",
                figure: "\(Format.duration(bundle)) (\(Format.rate(fields / bundle)) field changes)",
                baseline: "\(Format.duration(raw)) (raw upserts of the same rows, \(Format.rate(fields / raw)))",
                ratio: bundle / raw, spread: spread { $0.bundleApply / $0.raw }, memory: Format.memory(bundlePeak)),
            ReportRow(
                id: "6c", name: "  context: convergence against raw sqlite3 upserts",
                figure: "\(Format.duration(convergence))", baseline: "\(Format.duration(raw))",
                ratio: convergence / raw, spread: spread { $0.convergence / $0.raw }),
            ReportRow(
                id: "6d", name: "  context: change-set bytes sent over HTTP",
                figure: "\(Format.bytes(last.bytesUp)) pushed in \(last.chunksUp) chunks, "
                    + "\(Format.bytes(last.bytesDown)) pulled in \(last.chunksDown)",
                baseline: "\(Format.bytes(last.bundleBytes)) (the bundle file)",
                ratio: Double(last.bytesUp) / Double(last.bundleBytes)),
            ReportRow(
                id: "6g", name: "  context: after 6a, one new node catches up on everything in one session",
                figure: "\(Format.duration(median(\.catchUp))) for \(last.changes.formatted()) changes",
                baseline: "\(Format.duration(bundle)) (6b: the same changes from one bundle to one replica)",
                ratio: median(\.catchUp) / bundle, spread: spread { $0.catchUp / $0.bundleApply }),
            ReportRow(
                id: "6e", name: "  context: 6a with unjoined nodes (development mode, unsigned)",
                figure: "\(Format.duration(unjoined.convergence)) (push round \(Format.duration(unjoined.push)), pull round "
                    + "\(Format.duration(unjoined.pull)), \(unjoined.chunksDown) chunks pulled)",
                baseline: "\(Format.duration(unjoined.bundleApply)): the \(unjoined.changes.formatted()) changes from one bundle",
                ratio: unjoined.convergence / unjoined.bundleApply,
                memory: unjoined.coordinatorPeak.map { "coordinator: \(Format.mebibytes($0)) peak RSS (own process)" } ?? ""),
            ReportRow(
                id: "6f", name: "  context: 6a with every department node a daemon in its own process, as deployed (one round)",
                figure: "\(Format.duration(processes.convergence)) (push round \(Format.duration(processes.push)), pull round "
                    + "\(Format.duration(processes.pull)))",
                baseline: "\(Format.duration(convergence)) (6a: the ten department nodes in this process)",
                ratio: processes.convergence / convergence,
                memory: "largest department process: \(Format.mebibytes(processes.peak)) peak RSS; coordinator: "
                    + "\(Format.mebibytes(processes.coordinatorPeak))"),
        ]
    }

    static func round(
        _ number: Int, edits: Int, joined: Bool, options: SyncBenchOptions, log: @escaping @Sendable (String) -> Void
    ) async throws -> Round {
        let directory = options.directory.appendingPathComponent("converge-\(number + 1)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let departments = Array(Department.allCases.prefix(options.departments))
        let network = try JoinedNetwork.make(in: directory, departments: departments, joined: joined)
        let setup = try Measure.seconds {
            for (offset, (department, node)) in zip(departments, network.departments).enumerated() {
                var generator = InterventionGenerator(
                    seed: options.suite.seed &+ 0x60 &+ UInt64(offset), department: department)
                try writeEdits(node, count: edits, generator: &generator)
            }
        }
        let mode = joined ? "joined" : "unjoined"
        log("6 round \(number + 1): \(departments.count) \(mode) nodes made \(edits.formatted()) changes each in \(Format.duration(setup))")
        var result = Round()

        // Convergence over HTTP, the coordinator in its own process (its peak memory is its own); the peak
        // resident size of this process (the ten department nodes) is watched as well.
        // Admitted now, while the coordinator's replica is this process's alone.
        let latecomer = try JoinedNetwork.join(
            network.coordinator, at: directory.appendingPathComponent("latecomer"), BenchPlan.department, joined: joined)
        let reset = ProcessMemory.resetPeak()
        let before = ProcessMemory.resident()
        let nodes = network.departments
        let chunkSize = options.suite.syncChunkSize
        let coordinator = try await ChildNode.start(serving: network.coordinator.directory, chunkSize: chunkSize)
        result.coordinatorIdle = coordinator.resident
        let push: Double, pull: Double, summaries: [SyncSummary]
        do {
            let clients = nodes.map { _ in HTTPClient.makeForPeers(requestTimeout: .seconds(120)) }
            do {
                let first = try await Measure.timed {
                    try await allSync(nodes, with: coordinator.url, clients: clients, chunkSize: chunkSize)
                }
                let second = try await Measure.timed {
                    try await allSync(nodes, with: coordinator.url, clients: clients, chunkSize: chunkSize)
                }
                let catchUp = try await Measure.timed {
                    try await allSync([latecomer], with: coordinator.url, clients: [clients[0]], chunkSize: chunkSize)
                }
                result.catchUp = catchUp.seconds
                for client in clients { try await client.shutdown() }
                (push, pull, summaries) = (first.seconds, second.seconds, first.value + second.value)
            } catch {
                for client in clients { try? await client.shutdown() }
                throw error
            }
            result.coordinatorPeak = coordinator.peakResident
            try await coordinator.stop()
        } catch {
            try? await coordinator.stop()
            throw error
        }
        result.push = push
        result.pull = pull
        if reset, let before, let peak = ProcessMemory.peakResident() { result.peak = max(0, peak - before) }
        result.bytesUp = summaries.reduce(0) { $0 + $1.bytesOut }
        result.bytesDown = summaries.reduce(0) { $0 + $1.bytesIn }
        result.chunksUp = summaries.reduce(0) { $0 + $1.chunksOut }
        result.chunksDown = summaries.reduce(0) { $0 + $1.chunksIn }
        let clock = try network.coordinator.clock()
        let expected = UInt64(departments.count * edits)
        guard clock.entries.values.reduce(0, +) >= expected else {
            throw BenchError("6: the coordinator holds \(clock.entries.values.reduce(0, +)) changes, not \(expected)")
        }
        for node in nodes + [latecomer] {
            guard try node.clock() == clock else {
                throw BenchError("6: node \(node.nodeID) did not converge after two sessions")
            }
        }
        log("6 round \(number + 1): converged in \(Format.duration(result.convergence)) (push round \(Format.duration(push)), pull round \(Format.duration(pull))); a new node caught up in \(Format.duration(result.catchUp))")

        // Baselines: the same changes from one bundle to one new replica, and raw upserts of the same rows.
        let bundle = directory.appendingPathComponent("all.napsync")
        let written = try ChangeBundle.write(
            from: network.coordinator, for: VectorClock(), to: bundle, emptySet: { try network.coordinator.emptyChangeSet() })
        result.changes = written.changes
        result.bundleBytes = try FileManager.default.attributesOfItem(atPath: bundle.path)[.size] as? Int ?? 0
        var changes: [Change] = []
        var reader = try ChangeBundle.Reader(url: bundle)
        while let data = try reader.next() { changes += try ChangeSetFormat.decode(data, sender: "bundle").changes }
        let rows = PlainRows(changes)
        result.fieldChanges = rows.fieldCount
        let target = try JoinedNetwork.join(
            network.coordinator, at: directory.appendingPathComponent("bundle-target"), BenchPlan.department,
            joined: joined)
        let plain = try PlainStore(at: directory.appendingPathComponent("plain"))
        let baselineFirst = number % 2 == 0
        func applyBundle() throws {
            var reader = try ChangeBundle.Reader(url: bundle)
            var report: ApplyReport?
            let rise = try Measure.peakResidentRise {
                result.bundleApply = try Measure.seconds {
                    report = try target.apply(changeSets: { try reader.next() }, from: "bundle")
                }
            }
            result.bundlePeak = rise
            guard report?.applied == written.changes, try target.clock() == clock else {
                throw BenchError("6: the bundle applied \(report?.applied ?? 0) of \(written.changes) changes")
            }
        }
        func upsert() throws {
            result.raw = try Measure.seconds { try plain.upsertRaw(rows) }
        }
        if baselineFirst {
            try upsert()
            try applyBundle()
        } else {
            try applyBundle()
            try upsert()
        }
        log("6 round \(number + 1): bundle apply \(Format.duration(result.bundleApply)), raw upserts \(Format.duration(result.raw))")
        return result
    }

    /// Half the changes create interventions, the other half edit one field of one of them (description, budget
    /// or countries), in transactions of up to 5,000 changes.
    static func writeEdits(_ replica: Replica, count: Int, generator: inout InterventionGenerator) throws {
        var records = try BenchReplicas.fill(replica, records: count / 2, generator: &generator)
        var written = records.count
        while written < count {
            let batch = min(5_000, count - written)
            try replica.write { writer in
                for _ in 0..<batch {
                    let revised = generator.reviseOne(of: &records)
                    guard try writer.set(revised.key, fields: revised.fields) != nil else {
                        throw BenchError("6: an edit changed nothing")
                    }
                }
            }
            written += batch
        }
    }

    /// One session of every node with `url`, all at once; their summaries.
    static func allSync(_ nodes: [Replica], with url: String, clients: [HTTPClient], chunkSize: Int) async throws -> [SyncSummary] {
        try await withThrowingTaskGroup(of: SyncSummary.self) { group in
            for (node, client) in zip(nodes, clients) {
                group.addTask { try await session(node, with: url, client: client, chunkSize: chunkSize) }
            }
            var summaries: [SyncSummary] = []
            for try await summary in group { summaries.append(summary) }
            return summaries
        }
    }
}
