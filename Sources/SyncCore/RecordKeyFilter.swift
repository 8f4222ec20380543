import GRDB
import GRDBSQLite
import NAPModel
import Synchronization

/// Which record keys the record table may hold: a Bloom filter, so that a batch's new records are known new
/// without looking each up.
///
/// A lookup that finds nothing costs about 1.2 µs in SQLite, most of what a new record costs napsync beyond the
/// plain write in a batch (docs/benchmarks.md, "fourteenth run"). The filter answers "not held" for certain, and
/// "maybe" for a key held or, about one time in a hundred, not; a "maybe" is looked up as before.
///
/// It must never miss a key the table holds, so it lives in the `WriterSnapshot` it was built beside: built from
/// the table by the writer connection, told of every row `ReplicaTransaction.flush` inserts, and dropped with the
/// snapshot when anything else may have written. A key told to it by a transaction that then rolled back only
/// adds a "maybe". Rows whose absence the filter vouched for are inserted, never upserted: a filter that missed a
/// key would make the write fail, not overwrite the row.
final class RecordKeyFilter: Sendable {
    private struct Bits {
        var words: [UInt64]
        var count = 0
    }

    private let bits: Mutex<Bits>
    /// A power of two, so that a hash picks a bit with a mask.
    private let bitCount: UInt64
    /// Keys it is sized for: past that many, false "maybe"s grow, and the next batch builds a larger filter
    /// (`ReplicaTransaction.flush`).
    let capacity: Int

    static let bitsPerKey = 10
    static let probes: UInt64 = 7

    /// An empty filter sized for `capacity` keys.
    init(capacity: Int) {
        self.capacity = max(capacity, 1024)
        var bitCount: UInt64 = 64
        while bitCount < UInt64(self.capacity * Self.bitsPerKey) { bitCount <<= 1 }
        self.bitCount = bitCount
        bits = Mutex(Bits(words: [UInt64](repeating: 0, count: Int(bitCount / 64))))
    }

    /// A filter of every key the record table holds, with room for as many again and twice `expected` more (the
    /// batch being written: an apply into an empty replica adds every key).
    static func load(_ db: Database, expected: Int) throws -> RecordKeyFilter {
        let held = try RawStatement(db, sql: "SELECT count(*) FROM record").first { Int($0.columnInt64(0)) } ?? 0
        let filter = RecordKeyFilter(capacity: 2 * (held + expected))
        try RawStatement(db, sql: "SELECT key FROM record").forEachRow { row in
            row.withColumnBytes(0) { filter.insert(keyBytes: $0) }
            return true
        }
        return filter
    }

    /// Whether it holds more keys than it was sized for.
    var isFull: Bool { bits.withLock { $0.count > capacity } }

    func insert(_ key: RecordKey) {
        var text = key.description
        text.withUTF8 { insert(keyBytes: UnsafeRawBufferPointer($0)) }
    }

    /// False only when the key was never inserted.
    func mayContain(_ key: RecordKey) -> Bool {
        var text = key.description
        let (first, step) = text.withUTF8 { Self.hashes(of: UnsafeRawBufferPointer($0)) }
        let mask = bitCount - 1
        return bits.withLock { bits in
            for probe in 0..<Self.probes {
                let bit = (first &+ probe &* step) & mask
                guard bits.words[Int(bit >> 6)] & (1 << (bit & 63)) != 0 else { return false }
            }
            return true
        }
    }

    private func insert(keyBytes: UnsafeRawBufferPointer) {
        let (first, step) = Self.hashes(of: keyBytes)
        let mask = bitCount - 1
        bits.withLock { bits in
            for probe in 0..<Self.probes {
                let bit = (first &+ probe &* step) & mask
                bits.words[Int(bit >> 6)] |= 1 << (bit & 63)
            }
            bits.count += 1
        }
    }

    /// Two hashes from one of the key's bytes (Kirsch and Mitzenmacher: probing with `first + i * step` does as
    /// well as independent hashes). Swift's hasher is seeded per process; the filter never leaves it.
    private static func hashes(of bytes: UnsafeRawBufferPointer) -> (first: UInt64, step: UInt64) {
        var hasher = Hasher()
        hasher.combine(bytes: bytes)
        let hash = UInt64(bitPattern: Int64(hasher.finalize()))
        return (hash, (hash >> 32) | 1)
    }
}
