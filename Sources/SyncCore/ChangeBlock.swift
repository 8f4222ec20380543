/// A run of changes of one origin with consecutive sequence numbers, applied one after the other, stored as one
/// row of `change_block` (see `ReplicaSchema`).
///
/// Storing a row per change made the change log most of what an apply spends in SQLite: each row costs a
/// statement, a table insert and an index insert whatever its size. A block costs that once for up to
/// `maxChanges` changes. Blocks keep the local apply order (their `id`) because a block only ever grows with the
/// change applied right after its last one, so reading blocks by id, and each block's changes in order, replays
/// the log in the order it was applied: a causal order.
///
/// The row holds the origin's chain value after the block's last change; the bytes hold, for each change in
/// sequence order, its hybrid time (zigzag varint), its record key (length-prefixed UTF-8), its stored body
/// (length-prefixed, see `StoredEncoding.encodeBody`) and its digest (32 bytes).
enum ChangeBlock {
    /// At most this many changes, or about `maxBytes`, per block: a lookup of one change (a replay, a chain value
    /// inside a block) reads its whole block.
    static let maxChanges = 256
    static let maxBytes = 64 << 10

    /// Adds change `seq` of `origin` to `block` when it continues it; otherwise starts a new block there and
    /// returns the finished one, for the caller to store.
    static func add(
        to block: inout Builder?, origin: Int64, seq: UInt64, time: Int64, record: String, body: [UInt8], digest: ChainHash,
        chain: ChainHash
    ) -> Builder? {
        if block?.continues(origin: origin, seq: seq) == true {
            block!.append(time: time, record: record, body: body, digest: digest, chain: chain)
            return nil
        }
        let finished = block
        block = Builder(origin: origin, seq: seq, time: time, record: record, body: body, digest: digest, chain: chain)
        return finished
    }

    /// A block being filled by a write transaction.
    struct Builder {
        let origin: Int64
        let firstSeq: UInt64
        private(set) var lastSeq: UInt64
        private(set) var lastTime: Int64 = 0
        /// The origin's chain value after `lastSeq`.
        private(set) var chain: ChainHash
        private(set) var bytes = BinaryWriter(capacity: 1024)

        /// A block that starts with the change `seq` of `origin`.
        init(origin: Int64, seq: UInt64, time: Int64, record: String, body: [UInt8], digest: ChainHash, chain: ChainHash) {
            self.origin = origin
            self.firstSeq = seq
            self.lastSeq = seq - 1
            self.chain = chain
            append(time: time, record: record, body: body, digest: digest, chain: chain)
        }

        var count: Int { Int(lastSeq &- firstSeq &+ 1) }

        /// Whether the change `seq` of `origin` continues this block.
        func continues(origin: Int64, seq: UInt64) -> Bool {
            origin == self.origin && seq == lastSeq + 1 && count < ChangeBlock.maxChanges
                && bytes.bytes.count < ChangeBlock.maxBytes
        }

        /// Adds the next change; the caller has checked `continues`.
        mutating func append(time: Int64, record: String, body: [UInt8], digest: ChainHash, chain: ChainHash) {
            bytes.signed(time)
            bytes.string(record)
            bytes.varint(body.count)
            bytes.raw(body)
            digest.withUnsafeBytes { bytes.raw($0) }
            lastSeq += 1
            lastTime = time
            self.chain = chain
        }
    }

    /// One stored change, as its block holds it.
    struct Entry {
        var seq: UInt64
        var time: Int64
        var record: ArraySlice<UInt8>
        /// The stored body (see `StoredEncoding.encodeBody`), as a reader bounded to it.
        var body: BinaryReader
        var digest: ChainHash

        var recordText: String { String(decoding: record, as: UTF8.self) }
    }

    /// Reads a block's changes in sequence order.
    struct Reader {
        private var reader: BinaryReader
        private var nextSeq: UInt64

        init(_ bytes: [UInt8], firstSeq: UInt64) {
            reader = BinaryReader(bytes)
            nextSeq = firstSeq
        }

        /// The next change, or nil after the last one.
        mutating func next() throws(BinaryReader.Error) -> Entry? {
            guard !reader.isAtEnd else { return nil }
            let time = try reader.signed()
            let record = try reader.stringBytes()
            let body = try reader.section()
            let digest = try reader.chainHash()
            defer { nextSeq += 1 }
            return Entry(seq: nextSeq, time: time, record: record, body: body, digest: digest)
        }
    }
}
