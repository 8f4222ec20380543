import AsyncHTTPClient
import Foundation
import Logging
import NAPModel
import SyncCore

/// `napsync demo`: the whole story on one machine, with real replicas, the real membership steps and real HTTP
/// sync sessions, narrated in short lines.
///
/// 1. A coordinator founds the network; five department nodes (two of them for Defence) join it.
/// 2. Each department records illustrative 2014 and 2015 data offline (``DemoSampleData``).
/// 3. The coordinator is served on 127.0.0.1 by ``NapsyncDaemon``; each department syncs with it
///    (``SyncClient/syncDirectly(exchange:peers:configuration:client:metrics:logger:)``), twice, until all agree.
/// 4. The two Defence nodes change the same entry's status differently, offline, then sync: the conflict is shown
///    and left open.
/// 5. The coordinator writes the reports (through `writeReports`: rendering lives in the Reports target).
/// 6. Every node's digest is shown: they are all equal.
///
/// Everything lives under `directory`: `nodes/<name>` for each node, `reports/` for the reports.
public struct DemoScenario: Sendable {
    /// Receives each line of the story, in order.
    public typealias Narrator = @Sendable (_ line: String) -> Void
    /// Writes the reports from the coordinator's replica into `directory`; returns the files written.
    public typealias ReportWriter = @Sendable (_ coordinator: Replica, _ directory: URL) throws -> [URL]

    public static let nodesDirectoryName = "nodes"
    public static let reportsDirectoryName = "reports"

    public let directory: URL
    let logger: Logger
    let narrate: Narrator
    let writeReports: ReportWriter?
    let requestTimeout: Duration = .seconds(10)

    /// - Parameters:
    ///   - directory: a new or empty directory; created if needed.
    ///   - writeReports: nil skips the reports (step 5).
    public init(directory: URL, logger: Logger, narrate: @escaping Narrator, writeReports: ReportWriter?) {
        self.directory = directory
        self.logger = logger
        self.narrate = narrate
        self.writeReports = writeReports
    }

    /// A fresh directory under the system's temporary directory, for a demo run without `--dir`.
    public static func temporaryDirectory() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent(
            "napsync-demo-\(UUID().uuidString.prefix(8).lowercased())")
    }

    /// Runs the six steps. Throws ``DemoError`` when a step fails; the HTTP server is stopped in every case.
    public func run() async throws -> DemoOutcome {
        try prepareDirectory()
        let departments = DemoSampleData.nodes.count
        say("napsync demo: a coordinator and \(departments) department nodes on this machine, in \(directory.path)")
        say("Every figure, budget and text recorded here is illustrative sample data.")

        let nodes = try foundNetwork()
        try recordSampleData(nodes)
        let conflict = try await serving(nodes.coordinator) { url in
            try await HTTPClient.withPeerClient(requestTimeout: requestTimeout) { client in
                try await syncUntilAgreed(nodes, with: url, client: client)
                return try await concurrentEdit(nodes, with: url, client: client)
            }
        }
        say("   The coordinator's HTTP server has stopped.")
        let reports = try writeReports(nodes.coordinator)
        let outcome = DemoOutcome(
            directory: directory, nodes: try finalStates(nodes), conflict: conflict, reportFiles: reports)
        showDigests(outcome, nodes: nodes)
        guard outcome.converged else {
            throw DemoError.diverged(
                digests: Dictionary(uniqueKeysWithValues: outcome.nodes.map { ($0.name, $0.digest) }))
        }
        return outcome
    }

    // MARK: 1. The network

    private func foundNetwork() throws -> DemoNodes {
        say("")
        say("1. The coordinator founds the network; department nodes join it")
        let nodesDirectory = directory.appendingPathComponent(Self.nodesDirectoryName)
        let coordinator = DemoNode(
            name: "coordinator", title: "Coordinator",
            replica: try Replica.create(
                at: nodesDirectory.appendingPathComponent("coordinator"), owner: .coordinator, logger: logger),
            records: DemoSampleData.Records())
        let fingerprint = try coordinator.replica.createNetwork()
        let network = fingerprint.prefix(16)
        say("   \(label(coordinator.name)) founded network \(network); its root key signs every membership")
        var departments: [DemoNode] = []
        for plan in DemoSampleData.nodes {
            let replica = try Replica.create(
                at: nodesDirectory.appendingPathComponent(plan.name), owner: .department(plan.department),
                logger: logger)
            // The same three steps as `napsync join request`, `napsync admit` and `napsync join install`; the request
            // and the admission would travel as files, here they pass in memory.
            let admission = try coordinator.replica.admit(try replica.joinRequest())
            try replica.install(admission)
            departments.append(DemoNode(name: plan.name, title: plan.title, replica: replica, records: plan.records))
            say("   \(label(plan.name)) joined: \(plan.title) (node \(replica.nodeID.short))")
        }
        return DemoNodes(coordinator: coordinator, departments: departments)
    }

    // MARK: 2. Offline recording

    private func recordSampleData(_ nodes: DemoNodes) throws {
        say("")
        say("2. Each department records 2014 and 2015 data, offline, on lines the plan gives it")
        let review = DemoSampleData.review
        try nodes.coordinator.replica.save(review)
        say("   \(label(nodes.coordinator.name)) 1 review note (line \(review.line), \(review.year))")
        for node in nodes.departments {
            // Validated against the plan: a department records only on lines it is responsible for.
            _ = try node.replica.save(all: node.records.entries)
            _ = try node.replica.save(all: node.records.interventions)
            _ = try node.replica.save(all: node.records.figures)
            let records = node.records
            let countries = records.countries.isEmpty ? "" : " in \(records.countries.joined(separator: ", "))"
            say(
                "   \(label(node.name)) \(plural(records.entries.count, "progress entry", "progress entries")), "
                    + "\(plural(records.interventions.count, "intervention"))\(countries), "
                    + "\(plural(records.figures.count, "figure"))")
        }
    }

    // MARK: 3. Sync over HTTP

    private func syncUntilAgreed(_ nodes: DemoNodes, with url: String, client: HTTPClient) async throws {
        say("")
        say("3. The departments sync with the coordinator over HTTP (\(url))")
        say("   Round 1: each department sends its data and receives what the coordinator already holds")
        for node in nodes.departments { try await session(node, with: url, client: client) }
        say("   Round 2: each department receives what the others sent")
        for node in nodes.departments { try await session(node, with: url, client: client) }
        let digests = try Set(nodes.all.map { try $0.replica.canonicalExport().digest() })
        if digests.count == 1, let digest = digests.first {
            say("   All \(nodes.all.count) nodes now hold the same data (digest \(digest.prefix(12))).")
        } else {
            say("   The nodes still differ after two rounds (\(digests.count) different digests).")
        }
    }

    /// One sync session of `node` with the coordinator, the way `napsync sync --direct` runs it.
    @discardableResult
    func session(_ node: DemoNode, with url: String, client: HTTPClient) async throws -> SyncSummary {
        var configuration = NapsyncConfiguration(dataDirectory: node.directory)
        configuration.requestTimeout = requestTimeout
        let summaries = await SyncClient.syncDirectly(
            exchange: node.replica, peers: [url], configuration: configuration, client: client, logger: logger)
        guard let summary = summaries.first, summary.outcome == .completed else {
            throw DemoError.syncFailed(node: node.name, peer: url, reason: summaries.first?.error ?? "no session ran")
        }
        var line = "   \(label(node.name)) sent \(plural(summary.pushed, "change")), received \(summary.applied)"
        switch (summary.peerConflictsOpened > 0, summary.conflictsOpened > 0) {
        case (true, true): line += "; the coordinator and this node now show a conflict"
        case (true, false): line += "; the coordinator now shows a conflict"
        case (false, true): line += "; this node now shows a conflict"
        case (false, false): break
        }
        say(line)
        return summary
    }

    // MARK: 4. A concurrent edit

    private func concurrentEdit(_ nodes: DemoNodes, with url: String, client: HTTPClient) async throws
        -> ConflictSummary
    {
        let key = DemoSampleData.contestedEntry
        let first = nodes["defence"]
        let second = nodes["defence-2"]
        let before = try first.replica.load(ProgressEntry.self, key)?.status.rawValue ?? "none"
        say("")
        say("4. A concurrent edit: offline, both Defence nodes change the status of \(key) (was: \(before))")
        for (node, status) in [
            (first, DemoSampleData.contestedStatuses.first), (second, DemoSampleData.contestedStatuses.second),
        ] {
            guard var entry = try node.replica.load(ProgressEntry.self, key) else {
                throw ReplicaError.recordNotFound(key)
            }
            entry.status = status
            try node.replica.save(entry)
            say("   \(label(node.name)) status -> \(status.rawValue)")
        }
        say("   Both Defence nodes sync:")
        try await session(first, with: url, client: client)
        try await session(second, with: url, client: client)

        guard
            let conflict = try nodes.coordinator.replica.openConflicts().first(where: {
                $0.record == key && $0.field == "status"
            })
        else { throw DemoError.conflictMissing(record: key.description, field: "status") }
        say("   The coordinator keeps both values and leaves the conflict open for Defence to settle:")
        say("     record  \(conflict.record)")
        if let line = Plan.bundled.line(DemoSampleData.contestedLine) {
            let year = DemoSampleData.reportYear
            say("             (Defence's \(year) progress on line \(line.id): \(line.text.prefix(60))...)")
        }
        say("     field   \(conflict.field)")
        for (number, version) in ([conflict.winner] + conflict.others).enumerated() {
            let value = version.value.description.padding(toLength: 9, withPad: " ", startingAt: 0)
            let origin = "\(nodes.name(ofHex: version.origin)) (node \(version.origin.prefix(8)))"
            say("     \(number + 1). \(value) by \(origin)\(number == 0 ? ", shown in reports until settled" : "")")
        }
        say("   Round 3: every department receives the conflict")
        for node in nodes.departments { try await session(node, with: url, client: client) }
        return conflict
    }

    // MARK: 5. Reports

    private func writeReports(_ coordinator: DemoNode) throws -> [URL] {
        say("")
        let reportsDirectory = directory.appendingPathComponent(Self.reportsDirectoryName)
        guard let writeReports else {
            say("5. Reports: skipped")
            return []
        }
        let year = DemoSampleData.reportYear
        say("5. The coordinator writes the reports for \(year): to parliament, and the EU and UN responses")
        let files = try writeReports(coordinator.replica, reportsDirectory)
        for file in files { say("   \(file.path)") }
        say("   Each report lists the open conflict in its annex, and flags at the top the departments that sent no")
        say("   data (in this demo, those without a node).")
        return files
    }

    // MARK: 6. Digests

    private func finalStates(_ nodes: DemoNodes) throws -> [DemoOutcome.Node] {
        try nodes.all.map { node in
            let export = try node.replica.canonicalExport()
            return DemoOutcome.Node(
                name: node.name, directory: node.directory, nodeID: node.nodeID, digest: try export.digest(),
                openConflicts: export.conflicts.count)
        }
    }

    private func showDigests(_ outcome: DemoOutcome, nodes: DemoNodes) {
        say("")
        say("6. Every node's digest (SHA-256 of its data, conflicts included)")
        for node in outcome.nodes {
            say("   \(label(node.name)) \(node.digest)  \(plural(node.openConflicts, "open conflict"))")
        }
        guard outcome.converged else {
            say("   The nodes differ: this is a bug.")
            return
        }
        let conflict = outcome.conflict
        let kept = conflict.others.first.map { " by keeping \"\($0.value)\"" } ?? ""
        say("   All \(outcome.nodes.count) nodes converged.")
        say("   The conflict stays open until Defence settles it, e.g.\(kept):")
        let defence = nodes["defence"].directory.path
        say("     napsync conflicts resolve \(conflict.record) \(conflict.field) --keep 2 --data-dir \(defence)")
        say("")
        say("Nodes:   \(directory.appendingPathComponent(Self.nodesDirectoryName).path)/<name> (use with --data-dir)")
        if !outcome.reportFiles.isEmpty { say("Reports: \(outcome.reportsDirectory.path)") }
    }

    // MARK: Helpers

    /// Whether `directory` is missing or an empty directory: where a demo may run.
    public static func isUsable(_ directory: URL) -> Bool {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else { return true }
        let contents = try? FileManager.default.contentsOfDirectory(atPath: directory.path)
        return isDirectory.boolValue && contents?.isEmpty == true
    }

    private func prepareDirectory() throws {
        let manager = FileManager.default
        guard Self.isUsable(directory) else { throw DemoError.directoryInUse(path: directory.path) }
        try manager.createDirectory(
            at: directory.appendingPathComponent(Self.nodesDirectoryName), withIntermediateDirectories: true)
    }

    func say(_ line: String) { narrate(line) }

    /// A node name padded so that what follows lines up.
    func label(_ name: String) -> String { name.padding(toLength: 16, withPad: " ", startingAt: 0) }

    func plural(_ count: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(count) \(count == 1 ? singular : plural ?? singular + "s")"
    }
}
