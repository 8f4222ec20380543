import Crypto
import Foundation
import GRDB
import NAPModel

/// The replicated dataset in canonical form: what `napsync export` writes and what the digest is taken over.
///
/// It holds only replicated data (no node-local metadata such as local indexes or arrival times), sorted, so
/// two replicas that hold the same changes produce the same bytes whatever order they received them in.
public struct CanonicalExport: Sendable, Codable, Equatable {
    public struct Record: Sendable, Codable, Equatable {
        public var key: RecordKey
        public var fields: RecordFields
    }

    public var dataset: String
    public var records: [Record]
    /// Keys of removed records (tombstones).
    public var removed: [RecordKey]
    public var conflicts: [ConflictSummary]

    /// Stable JSON: sorted keys, two-space indentation, a final newline.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        var data = try encoder.encode(self)
        data.append(0x0A)
        return data
    }

    /// SHA-256 of the canonical JSON, in hex.
    public func digest() throws -> String {
        SHA256.hash(data: try jsonData()).map { String(format: "%02x", $0) }.joined()
    }
}

extension Replica {
    /// Every record with its state, in key order; only those of one kind when `kind` is given (a range of the
    /// primary key, since keys start with the kind).
    func allRecords(of kind: RecordKind? = nil) throws -> [(key: RecordKey, state: RecordState)] {
        try database.read { db in
            let origins = try OriginDirectory(db)
            var result: [(RecordKey, RecordState)] = []
            let rows = try kind.map { kind in
                try Row.fetchCursor(
                    db, sql: "SELECT key, state FROM record WHERE key >= ? AND key < ? ORDER BY key",
                    arguments: ["\(kind.rawValue)/", "\(kind.rawValue)0"])
            } ?? Row.fetchCursor(db, sql: "SELECT key, state FROM record ORDER BY key")
            while let row = try rows.next() {
                guard let key = RecordKey(row["key"]) else { continue }
                result.append((key, try StoredEncoding.decodeState([UInt8](row["state"] as Data), node: { origins.node(at: $0) })))
            }
            return result
        }
    }

    public func canonicalExport() throws -> CanonicalExport {
        var export = CanonicalExport(dataset: identity.datasetID, records: [], removed: [], conflicts: [])
        for (key, state) in try allRecords() {
            if state.isRemoved {
                export.removed.append(key)
            } else if state.exists {
                export.records.append(.init(key: key, fields: state.values))
            }
            export.conflicts += state.conflicts(of: key)
        }
        return export
    }

    /// Open conflicts, found through an index on records that have any.
    public func openConflicts() throws -> [ConflictSummary] {
        try database.read { db in
            let origins = try OriginDirectory(db)
            var result: [ConflictSummary] = []
            for row in try Row.fetchAll(db, sql: "SELECT key, state FROM record WHERE conflicts > 0 ORDER BY key") {
                guard let key = RecordKey(row["key"]) else { continue }
                let state = try StoredEncoding.decodeState([UInt8](row["state"] as Data), node: { origins.node(at: $0) })
                result += state.conflicts(of: key)
            }
            return result
        }
    }

    /// The dataset as typed records, for reports and listings. Removed records are left out.
    public func snapshot(now: Date = Date()) throws -> DatasetSnapshot {
        var snapshot = DatasetSnapshot(takenAt: now)
        for (key, state) in try allRecords() {
            snapshot.conflicts += state.conflicts(of: key)
            guard state.exists, !state.isRemoved else { continue }
            let fields = state.values
            switch key.kind {
            case .entry: ProgressEntry(key: key, fields: fields).map { snapshot.entries.append($0) }
            case .intervention: Intervention(key: key, fields: fields).map { snapshot.interventions.append($0) }
            case .figure: Figure(key: key, fields: fields).map { snapshot.figures.append($0) }
            case .review: Review(key: key, fields: fields).map { snapshot.reviews.append($0) }
            case .revocation: break
            }
        }
        try database.read { db in
            let origins = try OriginDirectory(db)
            snapshot.clock = Dictionary(uniqueKeysWithValues: origins.entries.filter { $0.seq > 0 }.map { ($0.node.hex, $0.seq) })
            for entry in origins.entries {
                guard let received = entry.lastReceived else { continue }
                let date = Date(timeIntervalSince1970: received)
                snapshot.lastReceived[entry.owner] = max(snapshot.lastReceived[entry.owner] ?? date, date)
            }
        }
        return snapshot
    }

    /// Owners of every node this replica has heard from, by node id.
    public func knownNodes() throws -> [NodeID: String] {
        try database.read { db in
            Dictionary(uniqueKeysWithValues: try OriginDirectory(db).entries.map { ($0.node, $0.owner) })
        }
    }
}
