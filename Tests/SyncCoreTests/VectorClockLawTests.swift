import Foundation
import SyncCore
import TestSupport
import Testing

/// The laws that make clock-based sync converge, on random clocks over a few nodes. Each seed is a test
/// argument, so a failure names the seed that reproduces it.
@Suite struct VectorClockLawTests {
    static let nodes = (0..<5).map { NodeID(bytes: [UInt8](repeating: UInt8($0 + 1), count: 16)) }
    static let seeds: [UInt64] = [7, 42, 1325, 2013, 2016]

    static func randomClock(_ random: inout SplitMix64) -> VectorClock {
        var clock = VectorClock()
        for node in nodes where Bool.random(using: &random) { clock[node] = UInt64.random(in: 1...6, using: &random) }
        return clock
    }

    static func triples(_ seed: UInt64, count: Int = 300) -> [(VectorClock, VectorClock, VectorClock)] {
        var random = SplitMix64(seed: seed)
        return (0..<count).map { _ in (randomClock(&random), randomClock(&random), randomClock(&random)) }
    }

    @Test(arguments: seeds) func mergeIsCommutativeAssociativeAndIdempotent(seed: UInt64) {
        for (a, b, c) in Self.triples(seed) {
            #expect(a.merged(with: b) == b.merged(with: a), "seed \(seed): \(a) | \(b)")
            #expect(a.merged(with: b).merged(with: c) == a.merged(with: b.merged(with: c)), "seed \(seed)")
            #expect(a.merged(with: a) == a, "seed \(seed)")
        }
    }

    @Test(arguments: seeds) func comparisonIsConsistentWithMerge(seed: UInt64) {
        for (a, b, _) in Self.triples(seed) {
            let merged = a.merged(with: b)
            #expect(merged.dominates(a) && merged.dominates(b), "seed \(seed)")
            switch a.compare(to: b) {
            case .equal: #expect(a == b && merged == a, "seed \(seed)")
            case .before: #expect(merged == b && b.compare(to: a) == .after, "seed \(seed)")
            case .after: #expect(merged == a && b.compare(to: a) == .before, "seed \(seed)")
            case .concurrent: #expect(merged != a && merged != b && b.compare(to: a) == .concurrent, "seed \(seed)")
            }
        }
    }

    @Test func aClockRoundTripsThroughJSON() throws {
        var clock = VectorClock()
        clock[Self.nodes[0]] = 3
        clock[Self.nodes[2]] = 7
        let data = try JSONEncoder().encode(clock)
        #expect(try JSONDecoder().decode(VectorClock.self, from: data) == clock)
    }
}
