import Crypto
import Foundation
import NAPModel

/// The hash chain over each origin's changes, which lets one signature vouch for many changes and survive
/// relaying and chunking.
///
/// Each change has a digest `d = SHA-256(canonical bytes)`; the origin's chain is `h(0) = SHA-256("napsync-chain-v1"
/// || origin)` and `h(k) = SHA-256(h(k-1) || d(k))`. The origin signs `(dataset, origin, k, h(k))` at checkpoints.
/// A receiver that holds `h(first-1)` recomputes the chain through the changes it receives (and the digests of
/// any later changes up to the checkpoint, sent alongside) and checks the signature: every change is then
/// proven to come from its origin, unaltered, whoever delivered it.
///
/// An origin signs its own changes when it sends them, at exactly the last change sent, so local writes pay
/// only for two hashes. A relay forwards the signature it received, with the digests of the changes between
/// the chunk it sends and that checkpoint.
public enum ChangeChain {
    public static func genesis(_ origin: NodeID) -> ChainHash {
        ChainHash(SHA256.hash(data: Data("napsync-chain-v1".utf8) + origin.bytes))
    }

    /// SHA-256 of the change's canonical bytes: origin, seq, time, record, assignments, context.
    public static func digest(_ change: Change) -> ChainHash {
        var writer = BinaryWriter(capacity: 256)
        frame(change, into: &writer) { $0.assignments(change.assignments) }
        return ChainHash(SHA256.hash(data: writer.bytes))
    }

    /// `digest(_:)` of a change whose assignments the caller encoded already (`BinaryWriter.assignments`): a
    /// local write encodes them once, for its stored body and for this. The canonical bytes are laid out in
    /// `scratch`, which a batch of writes reuses.
    static func digest(_ change: Change, encodedAssignments: ArraySlice<UInt8>, scratch: inout BinaryWriter) -> ChainHash {
        scratch.removeAll()
        frame(change, into: &scratch) { $0.raw(encodedAssignments) }
        return ChainHash(SHA256.hash(data: scratch.bytes))
    }

    private static func frame(_ change: Change, into writer: inout BinaryWriter, assignments: (inout BinaryWriter) -> Void) {
        writer.node(change.origin)
        writer.varint(change.seq)
        writer.signed(change.time)
        writer.string(change.record.description)
        assignments(&writer)
        writer.varint(change.supersedes.count)
        for dot in change.supersedes {
            writer.node(dot.origin)
            writer.varint(dot.seq)
        }
    }

    /// The digests of `changes`, in order. A received change set is hashed once, before it is verified and
    /// applied; a large one is spread over the processor's cores, as each digest stands alone (only the chain
    /// steps, which are cheap, are sequential).
    public static func digests(of changes: [Change]) -> [ChainHash] {
        digests(of: changes, workers: ParallelMap.workers(for: changes.count, minimumPerWorker: parallelThreshold))
    }

    /// The digests of `changes`, hashed by `workers` threads (one when it is 1 or less).
    public static func digests(of changes: [Change], workers: Int) -> [ChainHash] {
        changes.withUnsafeBufferPointer { ParallelMap.map($0, workers: workers) { digest($0) } }
    }

    /// Below this many changes per core, spreading the hashing costs more than it saves.
    static let parallelThreshold = 2048

    public static func next(_ previous: ChainHash, _ digest: ChainHash) -> ChainHash {
        var hasher = SHA256()
        previous.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        digest.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        return ChainHash(hasher.finalize())
    }

    /// The bytes an origin signs for its checkpoint at `seq`.
    public static func checkpointMessage(dataset: String, origin: NodeID, seq: UInt64, chain: ChainHash) -> Data {
        var writer = BinaryWriter()
        writer.raw(Array("napsync-checkpoint-v1".utf8))
        writer.string(dataset)
        writer.raw(origin.bytes)
        writer.varint(seq)
        chain.withUnsafeBytes { writer.raw($0) }
        return Data(writer.bytes)
    }
}
