import Foundation
import NAPModel
import SyncCore

/// The change set of issue 3: `fieldChanges` field changes made by one department's node, encoded as that
/// node would send them to an empty peer, in one change set.
///
/// Three quarters of the field changes create interventions (six fields each); the rest edit one field of an
/// intervention created earlier (description, budget or countries), so the set carries causal contexts
/// (`supersedes`) as real edits do.
public struct ChangeWorkload: Sendable {
    /// The encoded change set.
    public let data: Data
    /// The same changes, decoded: the input of the baselines.
    public let changes: [Change]
    public let fieldChanges: Int
    public let records: Int

    public static func build(fieldChanges target: Int, seed: UInt64, in directory: URL) throws -> ChangeWorkload {
        let source = try BenchReplicas.make(at: directory.appendingPathComponent("source"))
        var generator = InterventionGenerator(seed: seed)
        let creations = target * 3 / 4 / 6
        var records = try BenchReplicas.fill(source, records: creations, generator: &generator)
        var written = creations * 6
        while written < target {
            let edits = min(5_000, target - written)
            try source.write { writer in
                for _ in 0..<edits {
                    let revised = generator.reviseOne(of: &records)
                    if let change = try writer.set(revised.key, fields: revised.fields) {
                        written += change.assignments.count
                    }
                }
            }
        }
        // Compressed as bundles are (the smaller of the two forms; sessions use `.fast`, row 3c).
        guard let outgoing = try source.changeSet(missingFrom: VectorClock(), maxChanges: 1_000_000, compression: .compact),
            !outgoing.hasMore
        else {
            throw BenchError("the source replica produced no single change set")
        }
        let decoded = try ChangeSetFormat.decode(outgoing.data, sender: "bench")
        guard decoded.header.assignmentCount == target else {
            throw BenchError("the workload holds \(decoded.header.assignmentCount) field changes, not \(target)")
        }
        return ChangeWorkload(data: outgoing.data, changes: decoded.changes, fieldChanges: target, records: records.count)
    }
}

/// A benchmark that could not set up what it measures.
public struct BenchError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
