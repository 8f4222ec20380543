import Foundation
import SyncCore

/// How much each benchmark does. The defaults are the sizes the issues name; `quick` is a smoke run.
public struct SuiteOptions: Sendable {
    /// Rounds of each paired comparison; napsync and the baseline alternate which goes first.
    public var rounds = 11
    /// Writes per round when each write is its own transaction (each one waits for an fsync).
    public var singleWrites = 60
    /// Writes per transaction in the batched comparison.
    public var batchSize = 1_000
    /// Records both stores hold before the write comparison starts, so edits have something to edit.
    public var existingRecords = 5_000
    /// Field changes in the change set of issue 3.
    public var fieldChanges = 100_000
    /// Rounds of the apply comparison (each applies the whole set to a new, empty replica).
    public var applyRounds = 7
    /// Replica sizes, in records, for the up-to-date export; the smallest is the baseline of the others.
    public var exportSizes = [1_000, 100_000]
    /// Other departments' nodes whose changes the export replicas also hold.
    public var peers = 9
    /// Most changes per change set in the sync group's sessions (`sync.chunk-size` of every node in 6).
    public var syncChunkSize = Self.defaultSyncChunkSize
    /// napsync's own default (`Replica.defaultChunkSize`).
    public static let defaultSyncChunkSize = Replica.defaultChunkSize
    /// The seed every data set derives from.
    public var seed: UInt64 = 0x4E41_5053_0001
    /// Where the databases go. They are removed at the end unless `keep` is set.
    public var directory: URL

    public init(directory: URL) { self.directory = directory }

    public static func quick(directory: URL) -> SuiteOptions {
        var options = SuiteOptions(directory: directory)
        options.rounds = 3
        options.singleWrites = 10
        options.batchSize = 200
        options.existingRecords = 1_000
        options.fieldChanges = 10_000
        options.applyRounds = 3
        options.exportSizes = [1_000, 10_000]
        return options
    }
}

/// Two quantities measured round after round in alternating order, so both see the same machine.
public struct Paired: Sendable {
    public var subject = Samples()
    public var baseline = Samples()

    /// Runs one unrecorded warm-up round, then `rounds` recorded ones.
    public static func run(
        rounds: Int, warmup: Bool = true, subject: (Int) throws -> Double, baseline: (Int) throws -> Double
    ) rethrows -> Paired {
        var pair = Paired()
        for round in (warmup ? -1 : 0)..<rounds {
            let first: Double
            let second: Double
            if round % 2 == 0 {
                first = try subject(round)
                second = try baseline(round)
            } else {
                second = try baseline(round)
                first = try subject(round)
            }
            if round >= 0 {
                pair.subject.append(first)
                pair.baseline.append(second)
            }
        }
        return pair
    }

    /// Several sides measured round after round, the order rotating each round; one warm-up round first.
    public static func rotate(rounds: Int, sides: [(Int) throws -> Double]) throws -> [Samples] {
        var samples = sides.map { _ in Samples() }
        for round in -1..<rounds {
            for turn in sides.indices {
                let side = (turn + round + 1) % sides.count
                let value = try sides[side](round)
                if round >= 0 { samples[side].append(value) }
            }
        }
        return samples
    }

    /// subject / baseline, of the medians.
    public var ratio: Double { subject.median / baseline.median }
    /// baseline / subject, of the medians: for throughputs measured as times.
    public var inverseRatio: Double { baseline.median / subject.median }

    /// The lowest and highest per-round subject / baseline.
    public var spread: (low: Double, high: Double) {
        let ratios = zip(subject.values, baseline.values).map { $0 / $1 }
        return (ratios.min() ?? .nan, ratios.max() ?? .nan)
    }

    public var inverseSpread: (low: Double, high: Double) {
        let ratios = zip(subject.values, baseline.values).map { $1 / $0 }
        return (ratios.min() ?? .nan, ratios.max() ?? .nan)
    }
}

extension Measure {
    /// Seconds per call of `body`, repeating it until `budget` seconds have passed (at least `minCalls` and at
    /// most `maxCalls` times), so that fast calls are not lost in the clock's resolution.
    public static func perCall(minCalls: Int = 5, maxCalls: Int = 10_000, budget: Double = 0.05, _ body: () throws -> Void) rethrows -> Double {
        let clock = ContinuousClock()
        let start = clock.now
        var calls = 0
        var elapsed = 0.0
        while calls < maxCalls && (calls < minCalls || elapsed < budget) {
            try body()
            calls += 1
            elapsed = (clock.now - start).seconds
        }
        return elapsed / Double(calls)
    }
}
