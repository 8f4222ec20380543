import NAPModel
@testable import SyncCore
import TestSupport
import Testing

/// A flush writes the records it touched in the byte order of their keys (`FlushOrder`), compared mostly as
/// integers past the prefix the keys share.
@Suite struct FlushOrderTests {
    /// Bytes ids are made of: the ends of the range, a zero byte, a slash, letters, and text that is not ASCII.
    let pieces = ["", "\u{0}", "\u{1}", "/", "0", "9", "a", "b", "e", "z", "é", "\u{301}", "\u{212A}", "\u{10FFFF}", "aaaaaaaa", "aaaaaaab"]

    @Test(arguments: [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func keysAreOrderedAsTheirBytes(seed: UInt64) {
        print("FlushOrderTests seed \(seed)")
        var random = SplitMix64(seed: seed)
        // Ids that share prefixes of every length, some long enough to tie on the eight bytes compared first.
        let prefix = String(repeating: "p", count: Int.random(in: 0..<12, using: &random))
        // Distinct as bytes: ids that are one text to `String` but differ in bytes are distinct keys.
        var ids: [String] = []
        var seen = Set<[UInt8]>()
        for _ in 0..<Int.random(in: 2..<300, using: &random) {
            var id = Bool.random(using: &random) ? prefix : ""
            for _ in 0..<Int.random(in: 0..<14, using: &random) { id += pieces.randomElement(using: &random)! }
            if seen.insert(Array(id.utf8)).inserted { ids.append(id) }
        }
        let kinds: [RecordKind] = Bool.random(using: &random) ? [.intervention] : [.intervention, .figure, .entry]
        let keys = ids.map { RecordKey(kind: kinds.randomElement(using: &random)!, owner: .department(.defence), id: $0) }
        // Positions as a flush passes them: some of the working set, in the order it met them.
        let positions = keys.indices.filter { _ in Int.random(in: 0..<4, using: &random) > 0 }.shuffled(using: &random)

        let ordered = FlushOrder.sorted(positions) { keys[$0] }

        #expect(ordered.sorted() == positions.sorted())
        let expected = positions.sorted { Array(keys[$0].description.utf8).lexicographicallyPrecedes(Array(keys[$1].description.utf8)) }
        #expect(ordered == expected)
    }

    @Test func oneOrNoRecordIsItsOwnOrder() {
        let key = RecordKey(kind: .intervention, owner: .department(.defence), id: "x")
        #expect(FlushOrder.sorted([], key: { _ in key }).isEmpty)
        #expect(FlushOrder.sorted([7], key: { _ in key }) == [7])
    }
}
