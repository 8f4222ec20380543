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
    /// The bits, a power of two of them, so that a hash picks a bit with a mask, and how many keys set them.
    private struct Bits {
        var words: [UInt64]
        var count = 0

        var mask: UInt64 { UInt64(words.count * 64) - 1 }

        mutating func insert(_ key: UnsafeRawBufferPointer) {
            let (first, step) = RecordKeyFilter.hashes(of: key)
            for probe in 0..<RecordKeyFilter.probes {
                let bit = (first &+ probe &* step) & mask
                words[Int(bit >> 6)] |= 1 << (bit & 63)
            }
            count += 1
        }

        func mayContain(_ key: UnsafeRawBufferPointer) -> Bool {
            let (first, step) = RecordKeyFilter.hashes(of: key)
            for probe in 0..<RecordKeyFilter.probes {
                let bit = (first &+ probe &* step) & mask
                guard words[Int(bit >> 6)] & (1 << (bit & 63)) != 0 else { return false }
            }
            return true
        }
    }

    private let bits: Mutex<Bits>
    /// Keys it is sized for: past that many, false "maybe"s grow, and the next batch builds a larger filter
    /// (`ReplicaTransaction.flush`).
    let capacity: Int

    static let bitsPerKey = 10
    static let probes: UInt64 = 7

    /// An empty filter sized for `capacity` keys.
    convenience init(capacity: Int) {
        let capacity = max(capacity, 1024)
        self.init(capacity: capacity, bits: Self.emptyBits(capacity: capacity))
    }

    private init(capacity: Int, bits: Bits) {
        self.capacity = capacity
        self.bits = Mutex(bits)
    }

    private static func emptyBits(capacity: Int) -> Bits {
        var bitCount = 64
        while bitCount < capacity * bitsPerKey { bitCount <<= 1 }
        return Bits(words: [UInt64](repeating: 0, count: bitCount / 64))
    }

    /// A filter of every key the record table holds, with room for as many again and twice `expected` more (the
    /// batch being written: an apply into an empty replica adds every key).
    static func load(_ db: Database, expected: Int) throws -> RecordKeyFilter {
        let held = try RawStatement(db, sql: "SELECT count(*) FROM record").first { Int($0.columnInt64(0)) } ?? 0
        let capacity = max(2 * (held + expected), 1024)
        // Filled before it is shared, without taking the lock for each key.
        var bits = emptyBits(capacity: capacity)
        try RawStatement(db, sql: "SELECT key FROM record").forEachRow { row in
            row.withColumnBytes(0) { bits.insert($0) }
            return true
        }
        return RecordKeyFilter(capacity: capacity, bits: bits)
    }

    /// Whether it holds more keys than it was sized for.
    var isFull: Bool { bits.withLock { $0.count > capacity } }

    func insert(_ key: RecordKey) {
        key.withBytes { key in bits.withLock { $0.insert(UnsafeRawBufferPointer(key)) } }
    }

    /// False only when the key was never inserted.
    func mayContain(_ key: RecordKey) -> Bool {
        key.withBytes { key in bits.withLock { $0.mayContain(UnsafeRawBufferPointer(key)) } }
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
