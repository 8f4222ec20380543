@testable import SyncCore
import Testing

/// A change set finds the records it has introduced by their keys' bytes (`RecordNumbering`).
@Suite struct RecordNumberingTests {
    @Test func keysThatHashAlikeKeepTheirOwnNumbers() {
        // Given a record column holding three keys, the last two hashing like the first (as two keys of a set
        // could, however rarely)
        var column: [UInt8] = []
        var numbering = RecordNumbering()
        for key in ["intervention/defence/a", "intervention/defence/b", "intervention/defence/c"] {
            let start = column.count
            column.append(contentsOf: key.utf8)
            numbering.add(hash: 7, at: start..<column.count)
        }
        // Then each key is found under its own number, and a key never introduced is not found
        func number(_ key: String) -> Int? {
            Array(key.utf8).withUnsafeBufferPointer { numbering.number(of: $0, hash: 7, in: column) }
        }
        #expect(number("intervention/defence/a") == 0)
        #expect(number("intervention/defence/b") == 1)
        #expect(number("intervention/defence/c") == 2)
        #expect(number("intervention/defence/d") == nil)
        #expect(number("intervention/defence/") == nil)
    }

    @Test func aKeyIsFoundByItsBytes() {
        // Given one key, introduced with the hash of its bytes
        let composed = Array("intervention/defence/caf\u{E9}".utf8)
        let decomposed = Array("intervention/defence/cafe\u{301}".utf8)
        var numbering = RecordNumbering()
        let hash = composed.withUnsafeBufferPointer(RecordNumbering.hash)
        numbering.add(hash: hash, at: 0..<composed.count)
        // Then it is found under that hash, and the same text spelled in other bytes is not, even under the same hash
        #expect(composed.withUnsafeBufferPointer { numbering.number(of: $0, hash: hash, in: composed) } == 0)
        #expect(decomposed.withUnsafeBufferPointer { numbering.number(of: $0, hash: hash, in: composed) } == nil)
    }
}
