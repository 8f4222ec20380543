import Foundation
import Synchronization
import SyncCore
import SyncServer

/// An in-memory replica: a log of changes `(origin, seq, payload)`, encoded as JSON. Applies change sets
/// all-or-nothing and idempotently, refuses gaps, like the real replica.
final class FakeExchange: ChangeSetExchange {
    struct FakeChange: Codable, Hashable {
        var origin: NodeID
        var seq: UInt64
        var payload: String
    }

    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    private struct State {
        var log: [FakeChange] = []
        var clock = VectorClock()
        var changeSetCalls = 0
        var applyCalls = 0
        /// Calls to `changeSet` with these numbers (1-based) throw: a server failing mid-session.
        var failingChangeSetCalls: Set<Int> = []
        var largestChunk = 0
    }

    let nodeID: NodeID
    private let state = Mutex(State())

    init(nodeID: NodeID = .random()) {
        self.nodeID = nodeID
    }

    /// Writes `count` local changes.
    func record(_ count: Int, prefix: String = "value") {
        state.withLock { state in
            for index in 0..<count {
                let seq = state.clock[nodeID] + 1
                state.log.append(FakeChange(origin: nodeID, seq: seq, payload: "\(prefix)-\(index)"))
                state.clock[nodeID] = seq
            }
        }
    }

    func failChangeSetCalls(_ calls: Set<Int>) { state.withLock { $0.failingChangeSetCalls = calls } }

    var changeSetCalls: Int { state.withLock { $0.changeSetCalls } }
    var applyCalls: Int { state.withLock { $0.applyCalls } }
    var largestChunk: Int { state.withLock { $0.largestChunk } }
    var changeCount: Int { state.withLock { $0.log.count } }

    /// The set of changes held, independent of the order they arrived in.
    var digest: Set<FakeChange> { state.withLock { Set($0.log) } }

    func currentClock() throws -> VectorClock { state.withLock { $0.clock } }

    func changeSet(missingFrom peerClock: VectorClock, maxChanges: Int, compression: ChangeSetCompression) throws
        -> OutgoingChangeSet?
    {
        let (chunk, hasMore) = try state.withLock { state -> ([FakeChange], Bool) in
            state.changeSetCalls += 1
            if state.failingChangeSetCalls.contains(state.changeSetCalls) {
                throw Refusal(description: "injected failure on changeSet call \(state.changeSetCalls)")
            }
            let missing = state.log.filter { !peerClock.contains(Dot(origin: $0.origin, seq: $0.seq)) }
            state.largestChunk = max(state.largestChunk, min(missing.count, maxChanges))
            return (Array(missing.prefix(maxChanges)), missing.count > maxChanges)
        }
        guard !chunk.isEmpty else { return nil }
        var after = peerClock
        for change in chunk { after[change.origin] = max(after[change.origin], change.seq) }
        return OutgoingChangeSet(
            data: try JSONEncoder().encode(chunk), changeCount: chunk.count, peerClockAfter: after, hasMore: hasMore)
    }

    func apply(changeSet data: Data) throws -> ApplyReport {
        let changes: [FakeChange]
        do {
            changes = try JSONDecoder().decode([FakeChange].self, from: data)
        } catch {
            throw Refusal(description: "malformed change set")
        }
        return try state.withLock { state in
            state.applyCalls += 1
            // Validate everything first: all or nothing.
            var clock = state.clock
            var new: [FakeChange] = []
            var known = 0
            for change in changes {
                if clock[change.origin] >= change.seq {
                    known += 1
                } else if clock[change.origin] + 1 == change.seq {
                    clock[change.origin] = change.seq
                    new.append(change)
                } else {
                    throw Refusal(
                        description:
                            "gap: \(change.origin.short) expected \(clock[change.origin] + 1), got \(change.seq)")
                }
            }
            state.log.append(contentsOf: new)
            state.clock = clock
            return ApplyReport(applied: new.count, alreadyKnown: known, conflictsOpened: 0, clock: clock)
        }
    }
}
