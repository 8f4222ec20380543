import Foundation
import GRDB

/// Rows 1i and 1j: which tables and indexes the pages one batch committed belong to. A commit writes one
/// write-ahead log frame per page it changed, and after a checkpoint that copied the whole log the next
/// transaction writes its frames from the start of the log again, so the first `frames` frames of the `-wal`
/// file are the last batch's (the suite checkpoints after every batch).
enum LogFrames {
    /// The last batch's pages per table or index name, as SQLite's `dbstat` names them (an overflow page counts
    /// for the table whose row it continues).
    static func pagesByTable(databasePath: String, frames: Int) throws -> [String: Int] {
        let log = try Data(contentsOf: URL(fileURLWithPath: databasePath + "-wal"))
        // The log header is 32 bytes, the page size a big-endian 32-bit word at offset 8; each frame is a 24-byte
        // header, whose first word is the page number, and the page (sqlite.org/fileformat2.html, section 4.1).
        let headerSize = 32, frameHeaderSize = 24
        guard log.count >= headerSize else { throw BenchError("\(databasePath)-wal has no log header") }
        let bytes = [UInt8](log)
        func word(at offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        let pageSize = word(at: 8)
        var pages = Set<Int>()
        for frame in 0..<frames {
            let offset = headerSize + frame * (frameHeaderSize + pageSize)
            guard offset + frameHeaderSize <= bytes.count else {
                throw BenchError("\(databasePath)-wal holds fewer than the \(frames) frames its checkpoint reported")
            }
            pages.insert(word(at: offset))
        }
        let owners = try DatabaseQueue(path: databasePath).read { db in
            try Row.fetchAll(db, sql: "SELECT pageno, name FROM dbstat").reduce(into: [Int: String]()) { owners, row in
                owners[row["pageno"]] = row["name"]
            }
        }
        return pages.reduce(into: [:]) { counts, page in counts[owners[page] ?? "free or header pages", default: 0] += 1 }
    }

    /// Pages per table summed over batches, to print the mean per batch (the frame count beside it is a median).
    struct Tally {
        private var sums: [String: Int] = [:]
        private var batches = 0

        mutating func add(_ pages: [String: Int]) {
            sums.merge(pages, uniquingKeysWith: +)
            batches += 1
        }

        /// "record 1079, change log 80, ...": mean pages per batch, largest first, names grouped by `group`.
        func summary(group: (String) -> String = { $0 }) -> String {
            let grouped = sums.reduce(into: [String: Int]()) { $0[group($1.key), default: 0] += $1.value }
            return grouped.sorted { ($0.value, $1.key) > ($1.value, $0.key) }
                .map { "\($0.key) \(Int((Double($0.value) / Double(max(batches, 1))).rounded()))" }
                .joined(separator: ", ")
        }
    }
}
