import Foundation
import Logging
import NAPModel
import SyncCore

/// Creating and filling the replicas the benchmarks measure.
public enum BenchReplicas {
    /// A logger that prints nothing: the replica logs every apply at info level.
    public static let silent = Logger(label: "napsync.bench", factory: { _ in SwiftLogNoOpLogHandler() })

    /// A new, empty replica for `owner` in `directory` (replacing one already there).
    public static func make(at directory: URL, owner: Owner = .department(BenchPlan.department)) throws -> Replica {
        try Replica.create(at: directory, owner: owner, overwrite: true, logger: silent)
    }

    /// Writes `count` new interventions through the tracked path, `batch` per transaction. Returns them.
    @discardableResult
    public static func fill(
        _ replica: Replica, records count: Int, generator: inout InterventionGenerator, batch: Int = 5_000
    ) throws -> [Intervention] {
        var written: [Intervention] = []
        written.reserveCapacity(count)
        while written.count < count {
            let records = (0..<min(batch, count - written.count)).map { _ in generator.next() }
            try replica.write { writer in
                for record in records { try writer.set(record.key, fields: record.fields) }
            }
            written += records
        }
        return written
    }

    /// Gives `replica` changes from `count` other departments' nodes, as a replica in the field holds: each
    /// other node writes `records` interventions of its own and they are applied here.
    public static func addPeers(to replica: Replica, count: Int, records: Int, in directory: URL, seed: UInt64) throws {
        let others = Department.allCases.filter { $0 != BenchPlan.department }.prefix(count)
        for (offset, department) in others.enumerated() {
            let peer = try make(at: directory.appendingPathComponent("peer-\(department.rawValue)"), owner: .department(department))
            var generator = InterventionGenerator(seed: seed &+ UInt64(offset), department: department)
            try fill(peer, records: records, generator: &generator)
            guard let outgoing = try peer.changeSet(missingFrom: replica.clock(), maxChanges: 1_000_000) else { continue }
            _ = try replica.apply(changeSet: outgoing.data, from: "peer-\(department.rawValue)")
        }
    }
}
