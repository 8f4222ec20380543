import Foundation
import NAPModel
import SyncCore

/// napsync's side of a benchmark alone, repeated, for a profiler (`perf record -g napsync-bench --profile apply`):
/// no baseline runs in between, so every sample belongs to the code under study.
public enum ProfileLoop {
    public enum Subject: String, CaseIterable, Sendable {
        /// `Replica.save`, one record per transaction.
        case write
        /// `Replica.save(all:)`, `batchSize` records per transaction.
        case batch
        /// `Replica.save(all:)` of `batchSize` one-field edits of records held (`existingRecords` of them), as 1g.
        case edits
        /// `Replica.apply(changeSet:)` of the issue-3 change set to a new replica.
        case apply
        /// `Replica.changeSet(missingFrom:)` of everything a replica holding the issue-3 change set has, for an
        /// empty peer, in chunks of `sync.chunk-size`: what a coordinator does to serve a pull.
        case serve
    }

    public static func run(_ subject: Subject, seconds: Double, options: SuiteOptions, log: (String) -> Void) throws {
        let directory = options.directory.appendingPathComponent("profile")
        let plan = BenchPlan.plan
        var generator = InterventionGenerator(seed: options.seed &+ 1)
        let clock = ContinuousClock()
        switch subject {
        case .write, .batch:
            let replica = try BenchReplicas.make(at: directory.appendingPathComponent("replica"))
            // As the daemon and the suite do: the writer leaves its log to a checkpointer (`WALCheckpointer`
            // shows apart in a profile).
            let checkpointer = try replica.walCheckpointer()
            let start = clock.now
            var writes = 0
            while (clock.now - start).seconds < seconds {
                if subject == .write {
                    try replica.save(generator.next(), plan: plan)
                    writes += 1
                    if writes % LocalWriteBenchmark.writesBetweenCheckpoints == 0 { try checkpointer.checkpoint() }
                } else {
                    _ = try replica.save(all: (0..<options.batchSize).map { _ in generator.next() }, plan: plan)
                    writes += options.batchSize
                    try checkpointer.checkpoint()
                }
            }
            log("profile: \(writes) writes in \(Format.duration((clock.now - start).seconds))")
        case .edits:
            let replica = try BenchReplicas.make(at: directory.appendingPathComponent("replica"))
            let checkpointer = try replica.walCheckpointer()
            var existing = try BenchReplicas.fill(replica, records: options.existingRecords, generator: &generator)
            try checkpointer.checkpoint()
            let start = clock.now
            var writes = 0
            while (clock.now - start).seconds < seconds {
                let batch = (0..<options.batchSize).map { _ in generator.reviseOne(of: &existing) }
                _ = try replica.save(all: batch, plan: plan)
                writes += options.batchSize
                try checkpointer.checkpoint()
            }
            log("profile: \(writes) edits in \(Format.duration((clock.now - start).seconds))")
        case .apply:
            let workload = try ChangeWorkload.build(
                fieldChanges: options.fieldChanges, seed: options.seed &+ 2, in: directory.appendingPathComponent("workload"))
            let start = clock.now
            var runs = 0
            while (clock.now - start).seconds < seconds {
                let folder = directory.appendingPathComponent("apply-\(runs)")
                let replica = try BenchReplicas.make(at: folder)
                _ = try replica.apply(changeSet: workload.data, from: "profile")
                try? FileManager.default.removeItem(at: folder)
                runs += 1
            }
            log("profile: \(runs) applies of \(workload.fieldChanges) field changes in \(Format.duration((clock.now - start).seconds))")
        case .serve:
            let workload = try ChangeWorkload.build(
                fieldChanges: options.fieldChanges, seed: options.seed &+ 2, in: directory.appendingPathComponent("workload"))
            let replica = try BenchReplicas.make(at: directory.appendingPathComponent("served"))
            _ = try replica.apply(changeSet: workload.data, from: "profile")
            let chunk = options.syncChunkSize
            let start = clock.now
            var runs = 0
            var bytes = 0
            while (clock.now - start).seconds < seconds {
                bytes += try ServeBenchmark.serveAll(replica, chunk: chunk).bytes
                runs += 1
            }
            let elapsed = (clock.now - start).seconds
            log("profile: \(runs) serves of \(workload.changes.count) changes (\(bytes / max(runs, 1)) bytes each) in \(Format.duration(elapsed)), \(Format.duration(elapsed / Double(max(runs, 1)))) each")
        }
    }
}
