import Foundation
import NAPModel
import SyncCore

/// Issue 2: what tracking costs a local write. `Replica.save` (validation, then `set`: read the record's
/// state, diff, append the change with origin, sequence and causal context, update the record state, the
/// clock and the hybrid time, all in one transaction) against an upsert of the same row into a plain table
/// through the same kind of connection, opened with the same configuration.
public enum LocalWriteBenchmark {
    public static let target = Target.atMost(1.5)
    /// Single writes between two checkpoints of both sides' logs, outside the timed writes.
    static let writesBetweenCheckpoints = 200

    public static func run(_ options: SuiteOptions, log: (String) -> Void) throws -> [ReportRow] {
        let directory = options.directory.appendingPathComponent("write")
        let replica = try BenchReplicas.make(at: directory.appendingPathComponent("replica"))
        let plain = try PlainStore(at: directory.appendingPathComponent("plain"))
        let legacy = try PlainStore(at: directory.appendingPathComponent("plain-defaults"), settings: .grdbDefaults)
        let second = try BenchReplicas.make(at: directory.appendingPathComponent("replica-set"))
        let floor = try LocalWriteFloor(at: directory.appendingPathComponent("floor"))
        // Neither writer checkpoints its log below 10,000 pages (`Replica.autocheckpointPages`, both sides); the
        // daemon does that every second off the writer (`WALCheckpointService`), and so does this suite, between
        // timed writes.
        let replicaLog = try replica.walCheckpointer()
        let plainLog = try plain.walCheckpointer()
        let secondLog = try second.walCheckpointer()
        let replicaPath = replica.directory.appendingPathComponent(Replica.databaseFileName).path
        let plainPath = directory.appendingPathComponent("plain/plain.sqlite").path
        let plan = BenchPlan.plan
        var generator = InterventionGenerator(seed: options.seed &+ 1)
        var existing = (0..<options.existingRecords).map { _ in generator.next() }
        for start in stride(from: 0, to: existing.count, by: 1_000) {
            let chunk = Array(existing[start..<min(start + 1_000, existing.count)])
            _ = try replica.save(all: chunk, plan: plan)
            _ = try second.save(all: chunk, plan: plan)
            try plain.save(all: chunk)
            try legacy.save(all: chunk)
            try floor.write(chunk, plan: plan)
        }

        func creations(_ count: Int) -> [Intervention] { (0..<count).map { _ in generator.next() } }
        func edits(_ count: Int) -> [Intervention] {
            (0..<count).map { _ in generator.reviseOne(of: &existing) }
        }

        /// One write per transaction: every record is written by each side in turn, the order rotating, and
        /// each write is timed on its own, so a moment of contention on the machine touches single samples,
        /// which the median discards, rather than one side's whole round.
        func single(_ id: String, _ name: String, context: String? = nil, make: (Int) -> [Intervention]) throws -> [ReportRow] {
            log("\(id) \(name)")
            let count = options.singleWrites * options.rounds
            let records = make(count + 10)
            let sides: [(Intervention) throws -> Void] = [
                { try replica.save($0, plan: plan) }, { try plain.save($0) }, { try legacy.save($0) },
            ]
            var samples = sides.map { _ in Samples() }
            for (offset, record) in records.enumerated() {
                for turn in 0..<sides.count {
                    let side = (turn + offset) % sides.count
                    let seconds = try Measure.seconds { try sides[side](record) }
                    if offset >= 10 { samples[side].append(seconds) }
                }
                // A log of about 1,000 frames by then, where SQLite's automatic checkpoint would have run.
                if offset % Self.writesBetweenCheckpoints == Self.writesBetweenCheckpoints - 1 {
                    try replicaLog.checkpoint()
                    try plainLog.checkpoint()
                }
            }
            let tracked = Paired(subject: samples[0], baseline: samples[1])
            let defaults = Paired(subject: samples[2], baseline: samples[1])
            var rows = [
                ReportRow(
                    id: id, name: name, figure: "\(Format.duration(tracked.subject.median))/write (Replica.save)",
                    baseline: "\(Format.duration(tracked.baseline.median))/write (plain upsert)", ratio: tracked.ratio,
                    spread: tracked.blockSpread(options.rounds), target: target)
            ]
            if let context {
                rows.append(
                    ReportRow(
                        id: context, name: "  context: plain upsert with GRDB's defaults (synchronous=NORMAL, 2 MiB cache)",
                        figure: "\(Format.duration(defaults.subject.median))/write (plain, NORMAL)",
                        baseline: "\(Format.duration(defaults.baseline.median))/write (plain, as 1a: FULL)", ratio: defaults.ratio,
                        spread: defaults.blockSpread(options.rounds)))
            }
            return rows
        }

        /// What `Replica.save` spends before it reaches SyncCore: `Intervention.validate(against:)`.
        func validationRow(id: String, against perWrite: Double, parent: String) throws -> ReportRow {
            var samples = Samples()
            for _ in 0..<options.rounds {
                let records = (0..<options.batchSize).map { _ in generator.next() }
                samples.append(try Measure.seconds { for record in records { try record.validate(against: plan) } } / Double(records.count))
            }
            return ReportRow(
                id: id, name: "  context: validation alone (Intervention.validate)", figure: "\(Format.duration(samples.median))/record",
                baseline: "share of \(parent)'s napsync time per write", ratio: samples.median / perWrite)
        }

        /// Many writes per transaction: every side writes the same batch each round, the order rotating. With
        /// `unvalidated`, a second replica writes the batch through `LocalWriter.set(_:sortedFields:)`, as
        /// `Replica.save(all:)` does but without its validation, in the same rounds. `floorID`'s row is the batch's SQL alone (`LocalWriteFloor`).
        func batched(
            _ id: String, _ name: String, unvalidated: String? = nil, frames framesID: String, floor floorID: String,
            make: (Int) -> [Intervention]
        ) throws -> [ReportRow] {
            log("\(id) \(name)")
            // The log frames each side's batch committed, as the checkpoint after it reports them.
            var frames = (replica: Samples(), plain: Samples())
            // And the tables those pages belong to, averaged over the rounds.
            var pages = (replica: LogFrames.Tally(), plain: LogFrames.Tally())
            // One batch per round, the warm-up round included, made before any clock starts.
            let batches = (0...options.rounds).map { _ in make(options.batchSize) }
            func records(for current: Int) -> [Intervention] { batches[current + 1] }
            let count = Double(options.batchSize)
            var sides: [(Int) throws -> Double] = [
                { current in
                    let records = records(for: current)
                    let seconds = try Measure.seconds { _ = try replica.save(all: records, plan: plan) } / count
                    let frameCount = try replicaLog.checkpoint().logFrames
                    if current >= 0 {
                        frames.replica.append(Double(frameCount))
                        pages.replica.add(try LogFrames.pagesByTable(databasePath: replicaPath, frames: frameCount))
                    }
                    return seconds
                },
                { current in
                    let records = records(for: current)
                    let seconds = try Measure.seconds { try plain.save(all: records) } / count
                    let frameCount = try plainLog.checkpoint().logFrames
                    if current >= 0 {
                        frames.plain.append(Double(frameCount))
                        pages.plain.add(try LogFrames.pagesByTable(databasePath: plainPath, frames: frameCount))
                    }
                    return seconds
                },
            ]
            sides.append { current in try floor.write(records(for: current), plan: plan) }
            if unvalidated != nil {
                sides.append { current in
                    let records = records(for: current)
                    let seconds = try Measure.seconds {
                        try second.write { writer in
                            for record in records { try writer.set(record.key, sortedFields: record.sortedFields) }
                        }
                    } / count
                    try secondLog.checkpoint()
                    return seconds
                }
            }
            let samples = try Paired.rotate(rounds: options.rounds, sides: sides)
            let pair = Paired(subject: samples[0], baseline: samples[1])
            var rows = [
                ReportRow(
                    id: id, name: name, figure: "\(Format.duration(pair.subject.median))/write (Replica.save(all:))",
                    baseline: "\(Format.duration(pair.baseline.median))/write (plain upsert)", ratio: pair.ratio,
                    spread: pair.spread, target: target),
                ReportRow(
                    id: framesID, name: "  context: write-ahead log frames (pages) one batch of \(id) commits",
                    figure: "\(Int(frames.replica.median)) frames (Replica.save(all:); mean pages: \(pages.replica.summary(group: Self.pageGroup)))",
                    baseline: "\(Int(frames.plain.median)) frames (plain upsert; \(pages.plain.summary()))",
                    ratio: frames.replica.median / frames.plain.median),
            ]
            let sql = Paired(subject: samples[2], baseline: samples[1])
            rows.append(
                ReportRow(
                    id: floorID, name: "  context: \(id)'s SQL alone (the rows napsync wrote, bound raw; no diff, hashing, encoding)",
                    figure: "\(Format.duration(sql.subject.median))/write (floor; \(Int((100 * sql.subject.median / pair.subject.median).rounded()))% of \(id)'s napsync time)",
                    baseline: "\(Format.duration(sql.baseline.median))/write (plain upsert, as \(id))", ratio: sql.ratio,
                    spread: sql.spread))
            if let unvalidated {
                let bare = Paired(subject: samples[3], baseline: samples[1])
                rows.append(
                    ReportRow(
                        id: unvalidated, name: "  context: the same without validation",
                        figure: "\(Format.duration(bare.subject.median))/write (Replica.write { set(_:sortedFields:) })",
                        baseline: "\(Format.duration(bare.baseline.median))/write (plain upsert, as \(id))", ratio: bare.ratio,
                        spread: bare.spread, target: target))
                let validation = try validationRow(id: "1f", against: pair.subject.median, parent: id)
                rows.append(validation)
            }
            return rows
        }

        let per = "\(options.batchSize.formatted()) per transaction"
        var rows = try single("1a", "write: create record, 1 per transaction", context: "1b", make: creations)
        rows += try single("1c", "write: edit 1 field, 1 per transaction", make: edits)
        rows += try batched("1d", "write: create record, \(per)", unvalidated: "1e", frames: "1i", floor: "1k", make: creations)
        rows += try batched("1g", "write: edit 1 field, \(per)", frames: "1j", floor: "1l", make: edits)
        guard try plain.count() == replica.snapshot().interventions.count else {
            throw BenchError("the plain store and the replica hold different numbers of records")
        }
        try floor.checkWritten()
        rows.append(
            try StoredBytes.row(
                replica: replica.directory.appendingPathComponent(Replica.databaseFileName),
                plain: URL(fileURLWithPath: plainPath), records: try plain.count()))
        return rows
    }
}

extension LocalWriteBenchmark {
    /// Rows 1i and 1j name the change log's table and index as one, as row 1h does.
    static func pageGroup(_ name: String) -> String {
        name.hasPrefix("change_block") ? "change log" : name
    }
}

extension Paired {
    /// The lowest and highest ratio of medians over `blocks` consecutive blocks of samples.
    func blockSpread(_ blocks: Int) -> (low: Double, high: Double) {
        let size = Swift.max(1, subject.values.count / Swift.max(1, blocks))
        var ratios: [Double] = []
        for start in stride(from: 0, to: subject.values.count - size + 1, by: size) {
            let a = Samples(Array(subject.values[start..<(start + size)]))
            let b = Samples(Array(baseline.values[start..<(start + size)]))
            ratios.append(a.median / b.median)
        }
        return (ratios.min() ?? .nan, ratios.max() ?? .nan)
    }
}
