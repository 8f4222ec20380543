import Foundation
import SyncCore

/// Issue 3, speed: applying the change set of `ChangeWorkload` to a new, empty replica (verify, inflate,
/// decode, check each change, append it to the log, update record states and the clock, in one
/// transaction) against raw SQLite upserts of the same rows into a plain table, in one transaction.
public enum ApplyBenchmark {
    public static let target = Target.atLeast(0.5)

    public static func run(_ options: SuiteOptions, workload: ChangeWorkload, log: (String) -> Void) throws -> [ReportRow] {
        let directory = options.directory.appendingPathComponent("apply")
        let rows = PlainRows(workload.changes)
        let fields = Double(workload.fieldChanges)
        var peak: Int?
        // What the daemon's checkpointer then copies off the writer (`WALCheckpointService`), timed apart.
        var checkpoints = (replica: Samples(), plain: Samples())
        var logFrames = (replica: 0, plain: 0)
        log("2a apply \(workload.fieldChanges) field changes (\(workload.changes.count) changes)")
        let pair = try Paired.run(rounds: options.applyRounds) { round in
            let folder = directory.appendingPathComponent("replica-\(round + 1)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let replica = try BenchReplicas.make(at: folder)
            var seconds = 0.0
            var report: ApplyReport?
            let rise = try Measure.peakResidentRise {
                seconds = try Measure.seconds { report = try replica.apply(changeSet: workload.data, from: "bench") }
            }
            if round >= 0, let rise { peak = max(peak ?? 0, rise) }
            guard report?.applied == workload.changes.count else { throw BenchError("the replica applied \(report?.applied ?? 0) changes") }
            let checkpointer = try replica.walCheckpointer()
            var frames = 0
            let checkpoint = try Measure.seconds { frames = try checkpointer.checkpoint().logFrames }
            if round >= 0 { checkpoints.replica.append(checkpoint) }
            logFrames.replica = frames
            return seconds
        } baseline: { round in
            let folder = directory.appendingPathComponent("plain-\(round + 1)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let plain = try PlainStore(at: folder)
            let seconds = try Measure.seconds { try plain.upsertRaw(rows) }
            guard try plain.count() == workload.records else { throw BenchError("the plain store holds \(try plain.count()) rows") }
            let checkpointer = try plain.walCheckpointer()
            var frames = 0
            let checkpoint = try Measure.seconds { frames = try checkpointer.checkpoint().logFrames }
            if round >= 0 { checkpoints.plain.append(checkpoint) }
            logFrames.plain = frames
            return seconds
        }

        log("2c the replica's own SQL, rows precomputed")
        let source = directory.appendingPathComponent("floor-source")
        defer { try? FileManager.default.removeItem(at: source) }
        _ = try BenchReplicas.make(at: source).apply(changeSet: workload.data, from: "bench")
        let floorRows = try ReplicaFloor(readingReplicaIn: source)
        var floor = Samples()
        for round in 0..<options.applyRounds {
            let folder = directory.appendingPathComponent("floor-\(round + 1)")
            defer { try? FileManager.default.removeItem(at: folder) }
            _ = try BenchReplicas.make(at: folder)
            floor.append(try floorRows.write(intoReplicaIn: folder))
        }

        let serve = try ServeBenchmark.run(options, servingReplicaIn: source, changeCount: workload.changes.count, log: log)

        log("2b decode only")
        var decode = Samples()
        for _ in 0..<options.applyRounds {
            decode.append(try Measure.seconds { _ = try ChangeSetFormat.decode(workload.data, sender: "bench") })
        }

        let count = workload.fieldChanges.formatted()
        return [
            ReportRow(
                id: "2a", name: "apply \(count) field changes to an empty replica",
                figure: "\(Format.rate(fields / pair.subject.median)) field changes (\(Format.duration(pair.subject.median)))",
                baseline: "\(Format.rate(fields / pair.baseline.median)) (raw sqlite3 upserts, \(Format.duration(pair.baseline.median)))",
                ratio: pair.inverseRatio, spread: pair.inverseSpread, target: target, memory: Format.memory(peak)),
            ReportRow(
                id: "2b", name: "  context: ChangeSetFormat.decode alone (integrity check, inflate, parse; in 2a beside the writer)",
                figure: Format.duration(decode.median), baseline: "against 2a's apply time", ratio: decode.median / pair.subject.median),
            ReportRow(
                id: "2c", name: "  context: 2a's SQL alone (its change-log blocks and record rows, precomputed, bound raw)",
                figure: "\(Format.duration(floor.median)) (\(floorRows.blocks.count.formatted()) change-log blocks, "
                    + "\(floorRows.records.count.formatted()) record rows)",
                baseline: "share of 2a's apply time; \(Format.fixed(floor.median / pair.baseline.median, 2))x the raw upserts",
                ratio: floor.median / pair.subject.median),
            serve,
            ReportRow(
                id: "2e", name: "  context: the checkpoint of 2a's write-ahead log, run by the daemon off the writer (not in 2a)",
                figure: "\(Format.duration(checkpoints.replica.median)) (napsync's log, \(logFrames.replica.formatted()) frames)",
                baseline: "\(Format.duration(checkpoints.plain.median)) (the raw upserts' log, \(logFrames.plain.formatted()) frames)",
                ratio: checkpoints.replica.median / checkpoints.plain.median),
        ]
    }
}
