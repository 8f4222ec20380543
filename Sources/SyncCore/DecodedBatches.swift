import Dispatch
import Foundation

/// The changes of one change set, decoded, hashed and prepared for the change log (`PreparedChange`) a batch at
/// a time; for a large set, on a second thread, so that the writer applies one batch while the next ones are
/// decoded. None of this needs the database, and it was about a third of applying a large set.
///
/// The second thread never outlives the apply: `stop()` (which the writer calls however the set ends) waits
/// for it. At most `queueDepth` batches wait to be applied, so memory stays bounded whatever the set's size.
final class DecodedBatches: @unchecked Sendable {
    struct Batch: Sendable {
        var changes: [Change]
        /// Each change's record as the set numbers it (see `ChangeDecoder.next(upTo:recordNumbers:)`).
        var recordNumbers: [Int32]
        var digests: [ChainHash]
        var prepared: [PreparedChange]
    }

    static let batchSize = 1024
    /// Sets smaller than this are decoded whole on the writer's thread, their digests on all cores (see
    /// `ChangeChain.digests`): for them a second thread would cost more than it saves.
    static let pipelineThreshold = 4096
    private static let queueDepth = 8
    private static let decodingQueue = DispatchQueue(label: "napsync.decode", qos: .userInitiated, attributes: .concurrent)

    // All mutable state is guarded by `condition`, except `whole`, which only the writer's thread touches.
    private let condition = NSCondition()
    private var ready: [Batch] = []
    private var failure: ReplicaError?
    private var finished = false
    private var stopped = false
    private let producer = DispatchGroup()
    private var whole: ChangeDecoder?
    // Owned by whichever thread decodes: the writer's for a small set, the second thread's for a large one.
    private var chains: [NodeID: ChainHash]
    private let indexes: [NodeID: Int64]

    /// `chains` holds each origin's chain value before its first change in the set, `indexes` the local index
    /// of every node the replica knows (see `PreparedChange.prepare`).
    init(_ decoder: ChangeDecoder, chains: [NodeID: ChainHash], indexes: [NodeID: Int64]) {
        self.chains = chains
        self.indexes = indexes
        guard decoder.header.changeCount >= Self.pipelineThreshold, ProcessInfo.processInfo.activeProcessorCount > 1 else {
            whole = decoder
            finished = true
            return
        }
        producer.enter()
        Self.decodingQueue.async { [self] in
            defer { producer.leave() }
            var decoder = decoder
            produce(&decoder)
        }
    }

    private func batch(of changes: [Change], recordNumbers: [Int32], digests: [ChainHash]) -> Batch {
        let prepared = changes.withUnsafeBufferPointer {
            PreparedChange.prepare($0, digests: digests, chains: &chains, indexes: indexes)
        }
        return Batch(changes: changes, recordNumbers: recordNumbers, digests: digests, prepared: prepared)
    }

    /// The next batch in order, or nil after the last. Throws what the decoder found wrong.
    func next() throws(ReplicaError) -> Batch? {
        if var decoder = whole {
            whole = nil
            var recordNumbers: [Int32] = []
            let changes = try decoder.next(upTo: decoder.header.changeCount, recordNumbers: &recordNumbers)
            return batch(of: changes, recordNumbers: recordNumbers, digests: ChangeChain.digests(of: changes))
        }
        condition.lock()
        defer { condition.unlock() }
        while ready.isEmpty, failure == nil, !finished { condition.wait() }
        if let failure { throw failure }
        guard !ready.isEmpty else { return nil }
        condition.broadcast()
        return ready.removeFirst()
    }

    /// Stops the decoding thread, if any, and waits for it to end.
    func stop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
        producer.wait()
    }

    private func produce(_ decoder: inout ChangeDecoder) {
        while true {
            let batch: Batch
            do {
                var recordNumbers: [Int32] = []
                let changes = try decoder.next(upTo: Self.batchSize, recordNumbers: &recordNumbers)
                batch = self.batch(of: changes, recordNumbers: recordNumbers, digests: ChangeChain.digests(of: changes, workers: 1))
            } catch {
                condition.lock()
                failure = error
                condition.broadcast()
                condition.unlock()
                return
            }
            condition.lock()
            defer { condition.unlock() }
            while ready.count >= Self.queueDepth, !stopped { condition.wait() }
            guard !stopped else { return }
            ready.append(batch)
            finished = decoder.isAtEnd
            condition.broadcast()
            if finished { return }
        }
    }
}
