import Benchmark
import Foundation
import NAPModel
import NapsyncBenchKit
import SyncCore

// The suite's workloads under ordo-one/benchmark, one benchmark per side of each comparison: the framework
// gives percentiles, malloc counts and peak RSS, and can save baselines to compare commits with
// (`swift package --package-path Benchmarks benchmark baseline update main`). The side-by-side ratios and the
// verdicts against the issues' targets come from `Benchmarks/run` (the napsync-bench executable).

/// State a benchmark builds in its setup and uses in its iterations.
final class Fixture: @unchecked Sendable {
    let directory: URL
    var replica: Replica?
    var plain: PlainStore?
    /// The log of whichever side the benchmark writes, set in its setup: neither writer checkpoints below 10,000
    /// pages (`Replica.autocheckpointPages`), so each iteration checkpoints after its measurement, as the daemon
    /// does off the writer.
    var log: WALCheckpointer?
    var generator = InterventionGenerator(seed: 0x4E41_5053_0011)
    var workload: ChangeWorkload?
    var rows: PlainRows?
    var clock = VectorClock()
    var iteration = 0

    init(_ name: String) {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("napsync-ordo-\(name)-\(getpid())")
    }

    func folder(_ name: String) -> URL { directory.appendingPathComponent(name) }

    func next(_ name: String) -> URL {
        iteration += 1
        return folder("\(name)-\(iteration)")
    }

    func remove() { try? FileManager.default.removeItem(at: directory) }

    /// Ends the measurement and checkpoints the written side's log (see `log`).
    func checkpoint(after benchmark: Benchmark) throws {
        benchmark.stopMeasurement()
        try log?.checkpoint()
    }
}

enum Sizes {
    static let fieldChanges = 100_000
    static let exportSizes = [1_000, 100_000]
}

enum SizeMetrics {
    static let napsync = BenchmarkMetric.custom("napsync bytes per 1000 field changes", useScalingFactor: false)
    static let tsv = BenchmarkMetric.custom("zlib-6 TSV bytes per 1000 field changes", useScalingFactor: false)
    static let ratio = BenchmarkMetric.custom("napsync / zlib-6 TSV x1000 (target <= 1200)", useScalingFactor: false)
    static let bundle = BenchmarkMetric.custom("empty bundle bytes (target < 1024)", useScalingFactor: false)
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident],
        warmupIterations: 1, maxDuration: .seconds(5), maxIterations: 1_000)
    let plan = BenchPlan.plan

    // MARK: 1 (issue 2) local writes, tracked and plain

    let single = Fixture("write-single")
    Benchmark("Write/create, 1 per transaction/Replica.save") { benchmark in
        let record = single.generator.next()
        benchmark.startMeasurement()
        try single.replica!.save(record, plan: plan)
        try single.checkpoint(after: benchmark)
    } setup: {
        single.replica = try BenchReplicas.make(at: single.folder("replica"))
        single.log = try single.replica!.walCheckpointer()
    } teardown: {
        single.replica = nil
        single.log = nil
        single.remove()
    }

    Benchmark("Write/create, 1 per transaction/plain upsert") { benchmark in
        let record = single.generator.next()
        benchmark.startMeasurement()
        try single.plain!.save(record)
        try single.checkpoint(after: benchmark)
    } setup: {
        single.plain = try PlainStore(at: single.folder("plain"))
        single.log = try single.plain!.walCheckpointer()
    } teardown: {
        single.plain = nil
        single.log = nil
        single.remove()
    }

    let batched = Fixture("write-batched")
    let batchConfiguration = Benchmark.Configuration(scalingFactor: .kilo, maxDuration: .seconds(10), maxIterations: 50)
    Benchmark("Write/create, 1000 per transaction/Replica.save(all:)", configuration: batchConfiguration) { benchmark in
        let records = benchmark.scaledIterations.map { _ in batched.generator.next() }
        benchmark.startMeasurement()
        _ = try batched.replica!.save(all: records, plan: plan)
        try batched.checkpoint(after: benchmark)
    } setup: {
        batched.replica = try BenchReplicas.make(at: batched.folder("replica"))
        batched.log = try batched.replica!.walCheckpointer()
    } teardown: {
        batched.replica = nil
        batched.log = nil
        batched.remove()
    }

    Benchmark("Write/create, 1000 per transaction/plain upsert", configuration: batchConfiguration) { benchmark in
        let records = benchmark.scaledIterations.map { _ in batched.generator.next() }
        benchmark.startMeasurement()
        try batched.plain!.save(all: records)
        try batched.checkpoint(after: benchmark)
    } setup: {
        batched.plain = try PlainStore(at: batched.folder("plain"))
        batched.log = try batched.plain!.walCheckpointer()
    } teardown: {
        batched.plain = nil
        batched.log = nil
        batched.remove()
    }

    // MARK: 2 (issue 3) applying 100k field changes to an empty replica, and the raw baseline

    let apply = Fixture("apply")
    let applyConfiguration = Benchmark.Configuration(warmupIterations: 1, maxDuration: .seconds(60), maxIterations: 5)
    let buildWorkload: @Sendable () throws -> Void = {
        let workload = try ChangeWorkload.build(fieldChanges: Sizes.fieldChanges, seed: 0x4E41_5053_0003, in: apply.folder("workload"))
        apply.workload = workload
        apply.rows = PlainRows(workload.changes)
    }
    Benchmark("Apply/100k field changes/Replica.apply(changeSet:)", configuration: applyConfiguration) { benchmark in
        let replica = try BenchReplicas.make(at: apply.next("replica"))
        benchmark.startMeasurement()
        _ = try replica.apply(changeSet: apply.workload!.data, from: "bench")
        benchmark.stopMeasurement()
        try? FileManager.default.removeItem(at: replica.directory)
    } setup: {
        try buildWorkload()
    } teardown: {
        apply.remove()
    }

    Benchmark("Apply/100k field changes/raw sqlite3 upserts", configuration: applyConfiguration) { benchmark in
        let folder = apply.next("plain")
        let plain = try PlainStore(at: folder)
        benchmark.startMeasurement()
        try plain.upsertRaw(apply.rows!)
        benchmark.stopMeasurement()
        try? FileManager.default.removeItem(at: folder)
    } setup: {
        try buildWorkload()
    } teardown: {
        apply.remove()
    }

    // MARK: 3 (issue 3) change-set size, with the encode time of the whole set

    let size = Fixture("size")
    Benchmark(
        "ChangeSet/100k field changes/encode + size",
        configuration: .init(
            metrics: [.wallClock, .mallocCountTotal, .peakMemoryResident, SizeMetrics.napsync, SizeMetrics.tsv, SizeMetrics.ratio],
            maxDuration: .seconds(30), maxIterations: 5)
    ) { benchmark in
        guard let outgoing = try size.replica!.changeSet(missingFrom: VectorClock(), maxChanges: 1_000_000) else { return }
        benchmark.stopMeasurement()
        let tsv = try BareValues.zlib(BareValues.tsv(size.workload!.changes))
        let fields = size.workload!.fieldChanges
        benchmark.measurement(SizeMetrics.napsync, outgoing.data.count * 1_000 / fields)
        benchmark.measurement(SizeMetrics.tsv, tsv * 1_000 / fields)
        benchmark.measurement(SizeMetrics.ratio, outgoing.data.count * 1_000 / tsv)
    } setup: {
        let workload = try ChangeWorkload.build(fieldChanges: Sizes.fieldChanges, seed: 0x4E41_5053_0003, in: size.folder("workload"))
        size.workload = workload
        size.replica = try Replica.open(at: size.folder("workload").appendingPathComponent("source"), logger: BenchReplicas.silent)
    } teardown: {
        size.replica = nil
        size.remove()
    }

    // MARK: 4 (issue 3) export for an up-to-date peer, at 1k and 100k records

    for records in Sizes.exportSizes {
        let export = Fixture("export-\(records)")
        Benchmark(
            "Export/up-to-date peer/\(records) records",
            configuration: .init(
                metrics: [.wallClock, .throughput, .mallocCountTotal, .peakMemoryResident, SizeMetrics.bundle],
                scalingFactor: .kilo, maxDuration: .seconds(5), maxIterations: 100)
        ) { benchmark in
            let replica = export.replica!
            for _ in benchmark.scaledIterations {
                blackHole(try replica.changeSet(missingFrom: export.clock, maxChanges: 10_000))
            }
            benchmark.stopMeasurement()
            benchmark.measurement(SizeMetrics.bundle, try replica.emptyChangeSet().count)
        } setup: {
            let replica = try BenchReplicas.make(at: export.folder("replica"))
            var generator = InterventionGenerator(seed: 0x4E41_5053_0004)
            try BenchReplicas.fill(replica, records: records, generator: &generator)
            try BenchReplicas.addPeers(to: replica, count: 9, records: 10, in: export.directory, seed: 0x4E41_5053_0005)
            export.clock = try replica.clock()
            export.replica = replica
        } teardown: {
            export.replica = nil
            export.remove()
        }
    }
}
