import Foundation
import SyncCore

/// Issue 3, size: bytes per field change of the encoded change set, against the bare values (record id,
/// field, value) serialised simply and compressed with zlib at the same level, in one go.
public enum ChangeSetSizeBenchmark {
    public static let target = Target.atMost(1.2)

    public static func run(workload: ChangeWorkload, log: (String) -> Void) throws -> [ReportRow] {
        log("3 change-set size")
        let fields = Double(workload.fieldChanges)
        let napsync = workload.data.count
        let tsv = BareValues.tsv(workload.changes)
        let prefixed = BareValues.lengthPrefixed(workload.changes)
        let tsvZ = try BareValues.zlib(tsv)
        let prefixedZ = try BareValues.zlib(prefixed)
        func perField(_ bytes: Int) -> String { "\(Format.fixed(Double(bytes) / fields, 2)) B" }
        // The same changes as a sync session sends them (ChangeSetCompression.fast); the workload is a bundle's.
        let header = try ChangeSetFormat.decode(workload.data, sender: "bench").header
        let session = try ChangeSetFormat.encode(
            workload.changes, owners: Dictionary(uniqueKeysWithValues: header.origins.map { ($0.node, $0.owner) }),
            sender: header.sender, datasetID: header.datasetID, level: ChangeSetCompression.fast.zlibLevel,
            proofs: Dictionary(uniqueKeysWithValues: header.origins.map { ($0.node, $0.proof) })).count
        let figure = "\(perField(napsync))/field change (\(Format.bytes(napsync)))"
        return [
            ReportRow(
                id: "3a", name: "change set: bytes per field change vs zlib-\(BareValues.zlibLevel) TSV",
                figure: figure,
                baseline: "\(perField(tsvZ)) (\(Format.bytes(tsvZ)); \(Format.bytes(tsv.count)) before zlib)",
                ratio: Double(napsync) / Double(tsvZ), target: target),
            ReportRow(
                id: "3b", name: "change set: bytes per field change vs zlib-\(BareValues.zlibLevel) length-prefixed",
                figure: figure,
                baseline: "\(perField(prefixedZ)) (\(Format.bytes(prefixedZ)); \(Format.bytes(prefixed.count)) before zlib)",
                ratio: Double(napsync) / Double(prefixedZ), target: target),
            ReportRow(
                id: "3c", name: "  context: 3a as a sync session compresses it (zlib level 1)",
                figure: "\(perField(session))/field change (\(Format.bytes(session)))",
                baseline: "\(perField(tsvZ)) (3a's zlib-\(BareValues.zlibLevel) TSV)",
                ratio: Double(session) / Double(tsvZ), target: target),
        ]
    }
}
