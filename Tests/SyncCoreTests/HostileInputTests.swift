import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

/// Mutated change sets and bundles: never a crash, never a partial apply, always a clear error.
///
/// The suite runs a fixed-seed sample. For a long run: `NAPSYNC_FUZZ_CASES=100000 swift test -c release --filter
/// HostileInputTests` (the count is split over the seeds).
@Suite struct HostileInputTests {
    static let seeds: [UInt64] = [11, 22, 33, 44]
    static let casesPerSeed = Int(ProcessInfo.processInfo.environment["NAPSYNC_FUZZ_CASES"] ?? "") .map { max(1, $0 / 4) } ?? 750

    /// A joined network with some history, and a valid signed set from Defence to Justice.
    struct World {
        let fixture: ReplicaFixture
        let coordinator: Replica
        let defence: Replica
        let justice: Replica
        let valid: Data

        init() throws {
            let network = try JoinedNetwork()
            (fixture, coordinator, defence, justice) = (network.fixture, network.coordinator, network.defence, network.justice)
            try defence.write { writer in
                for (index, line) in ["1.a", "3.d", "5.a"].enumerated() {
                    try writer.set(.entry(.defence, year: 2014, line: line), fields: ["status": .text("ongoing"), "narrative": .text("n\(index)")])
                }
            }
            try defence.set(.entry(.defence, year: 2014, line: "1.a"), fields: ["status": .text("done")])
            valid = try #require(try defence.changeSet(missingFrom: VectorClock(), maxChanges: 100)).data
        }
    }

    @Test(arguments: seeds) func mutatedChangeSetsAreRefusedWholeOrAppliedWhole(seed: UInt64) throws {
        let world = try World()
        var random = SplitMix64(seed: seed)
        var digest = try world.justice.canonicalExport().digest()
        var clock = try world.justice.clock()
        let intended = try world.defence.canonicalExport().digest()
        var refused = 0
        for trial in 0..<Self.casesPerSeed {
            let mutated = HostileMutations.mutate(world.valid, &random)
            do {
                _ = try world.justice.apply(changeSet: mutated, from: "fuzz", limits: .init(maxEncodedBytes: 1 << 20, maxPayloadBytes: 1 << 20))
                // A mutation that leaves the meaning intact (say, an equivalent varint) may apply, but then the
                // replica must hold exactly what the sender meant.
                digest = try world.justice.canonicalExport().digest()
                clock = try world.justice.clock()
                #expect(digest == intended, "seed \(seed) trial \(trial): a mutated set applied different data")
            } catch let error as ReplicaError {
                refused += 1
                #expect(!error.description.isEmpty)
                #expect(try world.justice.clock() == clock, "seed \(seed) trial \(trial): a refused set changed the clock")
            }
        }
        // Once the real changes are held, a set that differs only in the proofs of held changes is harmless.
        #expect(refused > Self.casesPerSeed / 2, "seed \(seed): \(refused) refused")
        #expect(try world.justice.canonicalExport().digest() == digest, "seed \(seed): a refused set changed data")
        #expect(try world.justice.integrityProblems().isEmpty)
    }

    @Test(arguments: seeds) func mutatedBundlesChangeNothing(seed: UInt64) throws {
        let world = try World()
        var random = SplitMix64(seed: seed)
        let bundle = world.fixture.directory.appending("valid.napb")
        try ChangeBundle.write(from: world.defence, for: VectorClock(), to: bundle, chunkSize: 2, emptySet: { try world.defence.emptyChangeSet() })
        let valid = try Data(contentsOf: bundle)
        let digest = try world.justice.canonicalExport().digest()
        for trial in 0..<(Self.casesPerSeed / 10) {
            var bytes = [UInt8](valid)
            if Bool.random(using: &random) {
                bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &random)))
            } else {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] ^= UInt8.random(in: 1...255, using: &random)
            }
            let file = world.fixture.directory.appending("mutated-\(trial).napb")
            try Data(bytes).write(to: file)
            do {
                var reader = try ChangeBundle.Reader(url: file)
                _ = try world.justice.apply(changeSets: { try reader.next() }, from: "fuzz")
                #expect(bytes == [UInt8](valid), "seed \(seed): a damaged bundle applied")
                return
            } catch let error as ReplicaError {
                #expect(!error.description.isEmpty)
            }
            #expect(try world.justice.canonicalExport().digest() == digest, "seed \(seed) trial \(trial)")
        }
    }
}
