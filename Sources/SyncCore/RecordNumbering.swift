import Foundation
import NAPModel

/// The records a change set being built has introduced, numbered in order of first appearance (protocol.md §2.2,
/// the record column), and found again by their keys' UTF-8 bytes. Bytes, not `String`: two keys that are one
/// text to `String` (an é composed, or an e and a combining accent) are two records (`RecordKey`). A key is found
/// by a hash of its bytes and compared with the bytes the record column already holds, so that serving stored
/// changes makes no text per change.
struct RecordNumbering {
    /// The first record whose key hashes to a value, by that value...
    private var first: [Int: Int] = [:]
    /// ... and the others, should two keys of a set hash alike.
    private var others: [Int: [Int]] = [:]
    /// Where each record's key is in the record column, by number.
    private var ranges: [Range<Int>] = []

    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        var hasher = Hasher()
        hasher.combine(bytes: UnsafeRawBufferPointer(key))
        return hasher.finalize()
    }

    /// The number of the record whose key is `key` (hashing to `hash`), if the set has introduced it; `column` is
    /// the record column's bytes.
    func number(of key: UnsafeBufferPointer<UInt8>, hash: Int, in column: [UInt8]) -> Int? {
        guard let number = first[hash] else { return nil }
        return column.withUnsafeBufferPointer { column in
            func matches(_ number: Int) -> Bool {
                let stored = UnsafeBufferPointer(rebasing: column[ranges[number]])
                return ByteOrder.equal(stored, key)
            }
            if matches(number) { return number }
            return others[hash]?.first(where: matches)
        }
    }

    /// Numbers a record not introduced before, whose key hashes to `hash` and is at `range` in the record column.
    mutating func add(hash: Int, at range: Range<Int>) {
        let number = ranges.count
        ranges.append(range)
        if first[hash] == nil {
            first[hash] = number
        } else {
            others[hash, default: []].append(number)
        }
    }
}
