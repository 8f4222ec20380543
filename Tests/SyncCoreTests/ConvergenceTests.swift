import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

/// Random edits on several replicas, exchanged in random topologies and orders with duplicates, stale
/// re-deliveries and partial chunks: every replica must end with the same digest and the same open conflicts,
/// and no write may vanish unless a write that saw it replaced it.
@Suite struct ConvergenceTests {
    static let seeds: [UInt64] = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233]

    @Test("replicas converge whatever the route and order", arguments: seeds)
    func replicasConverge(seed: UInt64) throws {
        var random = SplitMix64(seed: seed)
        let fixture = try ReplicaFixture()
        let replicas = [
            try fixture.make(.defence, name: "defence-1"), try fixture.make(.defence, name: "defence-2"),
            try fixture.make(.justice, name: "justice"), try fixture.make(.coordinator, name: "coordinator"),
            try fixture.make(.equality, name: "equality"),
        ]
        var keys: [Owner: [RecordKey]] = [:]
        for owner in [Owner.department(.defence), .department(.justice), .department(.equality), .coordinator] {
            keys[owner] = (0..<3).map { RecordKey(kind: owner == .coordinator ? .review : .entry, owner: owner, id: "2014/\($0 + 1).a") }
        }
        var written: [(record: RecordKey, field: String, dot: Dot)] = []
        var superseded = Set<Dot>()
        var history: [Data] = []

        func note(_ change: Change?) {
            guard let change else { return }
            superseded.formUnion(change.supersedes)
            for assignment in change.assignments { written.append((change.record, assignment.field, change.dot)) }
        }

        for _ in 0..<120 {
            let replica = replicas.randomElement(using: &random)!
            let key = keys[replica.identity.owner]!.randomElement(using: &random)!
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<5:
                let field = ["status", "narrative", "note"].randomElement(using: &random)!
                do {
                    note(try replica.set(key, fields: [field: .text("v\(Int.random(in: 0..<4, using: &random))")]))
                } catch ReplicaError.recordRemoved {
                    note(try replica.restore(key))
                }
            case 5:
                if let state = try replica.state(of: key), state.exists, !state.isRemoved { note(try replica.remove(key)) }
            case 6:
                if let conflict = try replica.openConflicts().first(where: { $0.record.owner == replica.identity.owner }) {
                    let field = conflict.kind == .removal ? Change.removedField : conflict.field
                    let value: FieldValue = conflict.kind == .removal ? .bool(Bool.random(using: &random)) : conflict.others[0].value
                    note(try replica.resolve(conflict.record, field: field, value: value))
                }
            default:
                let source = replicas.randomElement(using: &random)!
                let target = replicas.randomElement(using: &random)!
                let chunk = Int.random(in: 1...6, using: &random)
                if let outgoing = try source.changeSet(missingFrom: try target.clock(), maxChanges: chunk) {
                    history.append(outgoing.data)
                    _ = try target.apply(changeSet: outgoing.data)
                    if Bool.random(using: &random) { #expect(try target.apply(changeSet: outgoing.data).applied == 0, "seed \(seed)") }
                }
                if let stale = history.randomElement(using: &random) {
                    let before = try target.canonicalExport().digest()
                    do {
                        _ = try target.apply(changeSet: stale)
                    } catch let error as ReplicaError {
                        // A stale set that would skip changes is refused and must leave the replica as it was.
                        #expect(try target.canonicalExport().digest() == before, "seed \(seed): \(error)")
                    }
                }
            }
        }

        for _ in 0..<2 {
            for source in replicas { for target in replicas.shuffled(using: &random) where target !== source { try source.push(to: target, chunk: 7) } }
        }

        let digests = try Set(replicas.map { try $0.canonicalExport().digest() })
        #expect(digests.count == 1, "seed \(seed): replicas disagree")
        let conflicts = try replicas.map { try $0.openConflicts() }
        #expect(conflicts.allSatisfy { $0 == conflicts[0] }, "seed \(seed): open conflicts differ")
        #expect(Set(try replicas.map { try $0.clock() }).count == 1, "seed \(seed)")
        // Every replica checks sound after all of it (`napsync check` reports no false problem)
        for replica in replicas { #expect(try replica.consistencyProblems() == [], "seed \(seed)") }

        // Nothing silently lost: every write is still live, or a write that had seen it replaced it.
        for write in written where !superseded.contains(write.dot) {
            let state = try #require(try replicas[0].state(of: write.record), "seed \(seed)")
            let live = state.fields[write.field]?.contains { $0.dot == write.dot } ?? false
            #expect(live, "seed \(seed): write \(write.dot) to \(write.record) \(write.field) vanished")
        }
    }
}
