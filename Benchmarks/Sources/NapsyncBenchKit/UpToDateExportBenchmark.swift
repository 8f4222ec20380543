import Foundation
import GRDB
import NAPModel
import SyncCore

/// Issue 3, an up-to-date peer: `changeSet(missingFrom:)` for a peer that lacks nothing returns nil, and the
/// bundle for such a peer holds one empty change set (`Replica.emptyChangeSet()`, which is
/// `ChangeSetFormat.encode([], ...)`). Measured on replicas of different sizes; the smallest is the baseline,
/// since the target is that neither time nor bytes grow with the replica.
public enum UpToDateExportBenchmark {
    /// "Flat within noise": at most this ratio between the largest and the smallest replica.
    public static let flat = Target.atMost(1.25)
    public static let maxBundleBytes = 1_024

    struct Subject {
        let records: Int
        let replica: Replica
        let clock: VectorClock
        /// The clock of a peer that lacks only the newest change.
        let behind: VectorClock
    }

    public static func run(_ options: SuiteOptions, log: (String) -> Void) throws -> [ReportRow] {
        var subjects: [Subject] = []
        for size in options.exportSizes {
            let directory = options.directory.appendingPathComponent("export-\(size)")
            let replica = try BenchReplicas.make(at: directory.appendingPathComponent("replica"))
            var generator = InterventionGenerator(seed: options.seed &+ 3)
            let seconds = try Measure.seconds { try BenchReplicas.fill(replica, records: size, generator: &generator) }
            log("4 built a replica of \(size.formatted()) records in \(Format.duration(seconds))")
            try BenchReplicas.addPeers(to: replica, count: options.peers, records: 10, in: directory, seed: options.seed &+ 4)
            let clock = try replica.clock()
            var behind = clock
            behind[replica.nodeID] = clock[replica.nodeID] - 1
            subjects.append(Subject(records: size, replica: replica, clock: clock, behind: behind))
        }

        func emptyBundle(_ subject: Subject) throws -> Data { try subject.replica.emptyChangeSet() }

        /// The whole bundle file `napsync bundle` writes for an up-to-date peer (synced to disk, as it does).
        func bundleFile(_ subject: Subject) throws -> Int {
            let url = options.directory.appendingPathComponent("export-\(subject.records)/up-to-date.napsync")
            try ChangeBundle.write(from: subject.replica, for: subject.clock, to: url, emptySet: { try subject.replica.emptyChangeSet() })
            return try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int ?? -1
        }

        var upToDate = subjects.map { _ in Samples() }
        var lacking = subjects.map { _ in Samples() }
        var encode = subjects.map { _ in Samples() }
        var files = subjects.map { _ in Samples() }
        // The floor under 4a: a read transaction on the same file that fetches the rows `OriginDirectory` loads,
        // through a cached statement, on a connection of our own.
        var floor = subjects.map { _ in Samples() }
        let readers = try subjects.map { subject in
            var configuration = Configuration()
            configuration.readonly = true
            return try DatabasePool(path: subject.replica.directory.appendingPathComponent(Replica.databaseFileName).path, configuration: configuration)
        }
        log("4 measuring")
        for round in -1..<options.rounds {
            let order = round % 2 == 0 ? Array(subjects.indices) : subjects.indices.reversed()
            for index in order {
                let subject = subjects[index]
                let a = try Measure.perCall {
                    guard try subject.replica.changeSet(missingFrom: subject.clock, maxChanges: 10_000) == nil else {
                        throw BenchError("an up-to-date peer was sent changes")
                    }
                }
                let b = try Measure.perCall {
                    guard let outgoing = try subject.replica.changeSet(missingFrom: subject.behind, maxChanges: 10_000), outgoing.changeCount == 1
                    else { throw BenchError("a peer lacking one change was not sent exactly one") }
                }
                let c = try Measure.perCall { _ = try emptyBundle(subject) }
                let d = try Measure.perCall(minCalls: 3, budget: 0.02) { _ = try bundleFile(subject) }
                let e = try Measure.perCall {
                    _ = try readers[index].read { db in
                        try Row.fetchAll(db.cachedStatement(sql: "SELECT idx, node_id, owner, seq, last_received FROM origin ORDER BY idx"))
                    }
                }
                if round >= 0 {
                    upToDate[index].append(a)
                    lacking[index].append(b)
                    encode[index].append(c)
                    files[index].append(d)
                    floor[index].append(e)
                }
            }
        }
        let largest = subjects.count - 1
        let peak = try Measure.peakResidentRise {
            for _ in 0..<100 { _ = try subjects[largest].replica.changeSet(missingFrom: subjects[largest].clock, maxChanges: 10_000) }
        }
        let bytes = try subjects.map { try emptyBundle($0).count }
        let fileBytes = try subjects.map { try bundleFile($0) }

        func at(_ index: Int) -> String { "\(subjects[index].records.formatted()) records" }
        func row(_ id: String, _ name: String, _ samples: [Samples], memory: String = "") -> ReportRow {
            let pair = Paired(subject: samples[largest], baseline: samples[0])
            return ReportRow(
                id: id, name: name, figure: "\(Format.duration(pair.subject.median)) at \(at(largest))",
                baseline: "\(Format.duration(pair.baseline.median)) at \(at(0))", ratio: pair.ratio, spread: pair.spread,
                target: flat, memory: memory)
        }
        return [
            row("4a", "up-to-date peer: changeSet(missingFrom:) -> nil", upToDate, memory: Format.memory(peak)),
            ReportRow(
                id: "4b", name: "up-to-date peer: empty change set, bytes", figure: "\(bytes[largest]) B at \(at(largest))",
                baseline: "\(bytes[0]) B at \(at(0))", ratio: Double(bytes[largest]) / Double(bytes[0]),
                target: "< \(maxBundleBytes) B, no growth", met: bytes.allSatisfy { $0 < maxBundleBytes } && Set(bytes).count == 1),
            row("4c", "up-to-date peer: emptyChangeSet() time", encode),
            ReportRow(
                id: "4d", name: "up-to-date peer: bundle file, bytes", figure: "\(fileBytes[largest]) B at \(at(largest))",
                baseline: "\(fileBytes[0]) B at \(at(0))", ratio: Double(fileBytes[largest]) / Double(fileBytes[0]),
                target: "< \(maxBundleBytes) B, no growth",
                met: fileBytes.allSatisfy { $0 > 0 && $0 < maxBundleBytes } && Set(fileBytes).count == 1),
            row("4e", "up-to-date peer: ChangeBundle.write time (with fsync)", files),
            row("4f", "  context: peer lacking only the newest change", lacking),
            ReportRow(
                id: "4g", name: "  context: 4a against a plain read of the origin table",
                figure: "\(Format.duration(upToDate[largest].median)) (4a at \(at(largest)))",
                baseline: "\(Format.duration(floor[largest].median)) (GRDB read, cached SELECT, same file)",
                ratio: upToDate[largest].median / floor[largest].median),
        ]
    }
}

