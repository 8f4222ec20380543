import Foundation
import GRDB
import GRDBSQLite
import NIOCore
import SyncCore

/// Row 2d: what a node spends serving a pull, which the coordinator does for every department in row 6a.
/// `changeSet(missingFrom:)` of everything a replica holding 2a's change set has, for an empty peer, in chunks of
/// `sync.chunk-size`, compressed as sessions compress (zlib level 1), against the floor of that work: the same
/// stored blocks read with raw `sqlite3_step` and their changes' bodies and record keys compressed at the same level.
enum ServeBenchmark {
    static func run(_ options: SuiteOptions, servingReplicaIn directory: URL, changeCount: Int, log: (String) -> Void) throws -> ReportRow {
        log("2d serve \(changeCount.formatted()) changes to an empty peer")
        let replica = try Replica.open(at: directory, logger: BenchReplicas.silent)
        let chunk = options.syncChunkSize
        let path = directory.appendingPathComponent(Replica.databaseFileName).path
        let pair = try Paired.run(rounds: options.applyRounds) { _ in
            var served = (changes: 0, bytes: 0)
            let seconds = try Measure.seconds { served = try serveAll(replica, chunk: chunk) }
            guard served.changes == changeCount else { throw BenchError("served \(served.changes) changes, not \(changeCount)") }
            return seconds
        } baseline: { _ in
            try Measure.seconds { _ = try readAndCompress(path, chunk: chunk) }
        }
        return ReportRow(
            id: "2d", name: "  context: serving 2a's changes to an empty peer (changeSet(missingFrom:), zlib level 1)",
            figure: "\(Format.duration(pair.subject.median)) in chunks of \(chunk.formatted())",
            baseline: "\(Format.duration(pair.baseline.median)) (raw sqlite3 read of the same stored changes + zlib-1 of their keys and bodies)",
            ratio: pair.ratio, spread: pair.spread)
    }

    /// Everything `replica` holds, as an empty peer pulls it in chunks of `chunk`: the changes and bytes served.
    static func serveAll(_ replica: Replica, chunk: Int) throws -> (changes: Int, bytes: Int) {
        var served = (changes: 0, bytes: 0)
        var peerClock = VectorClock()
        while let outgoing = try replica.changeSet(missingFrom: peerClock, maxChanges: chunk, compression: .fast) {
            served.changes += outgoing.changeCount
            served.bytes += outgoing.data.count
            peerClock = outgoing.peerClockAfter
            if !outgoing.hasMore { break }
        }
        return served
    }

    /// Reads every block of the change log in log order and compresses each chunk's record keys and bodies at
    /// level 1. A block holds, per change, a zigzag varint time, the length-prefixed record key and body, and a
    /// 32-byte digest; only the keys and bodies are what a change set carries of the stored bytes.
    private static func readAndCompress(_ path: String, chunk: Int) throws -> Int {
        let queue = try DatabaseQueue(path: path)
        return try queue.read { db in
            let statement = try db.makeStatement(sql: "SELECT changes FROM change_block ORDER BY id")
            let handle = statement.sqliteStatement
            var compressed = 0
            var bytes: [UInt8] = []
            var rows = 0
            func flush() throws {
                compressed += try BareValues.zlib(bytes, level: ChangeSetCompression.fast.zlibLevel)
                bytes.removeAll(keepingCapacity: true)
            }
            while sqlite3_step(handle) == SQLITE_ROW {
                guard let base = sqlite3_column_blob(handle, 0) else { continue }
                let block = UnsafeRawBufferPointer(start: base, count: Int(sqlite3_column_bytes(handle, 0)))
                var offset = 0
                func varint() -> Int {
                    var value = 0
                    var shift = 0
                    while true {
                        let byte = block[offset]
                        offset += 1
                        value |= Int(byte & 0x7f) << shift
                        if byte & 0x80 == 0 { return value }
                        shift += 7
                    }
                }
                while offset < block.count {
                    _ = varint()
                    for _ in 0..<2 {
                        let length = varint()
                        bytes.append(contentsOf: block[offset..<(offset + length)])
                        offset += length
                    }
                    offset += 32
                    rows += 1
                    if rows % chunk == 0 { try flush() }
                }
            }
            sqlite3_reset(handle)
            if !bytes.isEmpty { try flush() }
            return compressed
        }
    }
}
