import GRDB
import NAPModel

/// Why the replica refused an operation. Every case carries its context and says what to do; `description` is
/// safe to log and to show to staff. Nothing was written when one of these is thrown.
public enum ReplicaError: Error, Sendable, CustomStringConvertible {
    case noReplica(path: String)
    case replicaExists(path: String)
    case unsupportedSchema(path: String)
    case notOwner(node: NodeID, owner: Owner, record: RecordKey)
    case recordRemoved(RecordKey)
    case recordNotFound(RecordKey)
    case noConflict(record: RecordKey, field: String)
    case invalid(ModelError)
    /// The change set itself is malformed, truncated, tampered with or too large.
    case malformedChangeSet(sender: String, reason: String)
    /// A file named on the command line cannot be read at all.
    case unreadableFile(path: String, reason: String)
    /// A file to be written (a bundle) cannot be created.
    case unwritableFile(path: String, reason: String)
    case wrongDataset(sender: String, expected: String, found: String)
    case unsupportedVersion(sender: String, version: Int)
    /// An origin's changes must arrive in sequence; this one would skip some.
    case sequenceGap(sender: String, origin: NodeID, expected: UInt64, found: UInt64)
    /// A change depends on a change this replica has not received.
    case missingDependency(sender: String, change: Dot, dependency: Dot)
    /// A change writes a record its origin does not own.
    case forbiddenWrite(sender: String, change: Dot, originOwner: String, record: RecordKey)
    /// A change arrived with the id of a change already held, but different content.
    case conflictingReplay(sender: String, change: Dot)
    case originOwnerChanged(sender: String, origin: NodeID, known: String, claimed: String)
    /// The origin is not a member this replica can verify: no, an invalid or an expired certificate.
    case untrustedOrigin(sender: String, origin: NodeID, reason: String)
    /// The origin's membership was revoked.
    case revokedOrigin(sender: String, origin: NodeID)
    /// The changes are unsigned or their signature does not match: forged or tampered with.
    case badSignature(sender: String, origin: NodeID, reason: String)
    /// What the replica stores contradicts itself (a damaged file, or one edited by hand): `reason` says what.
    case damagedReplica(reason: String)

    /// Whether the set may apply later, once missing changes have arrived (so it is not quarantined).
    public var isOrderingProblem: Bool {
        switch self {
        case .sequenceGap, .missingDependency: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .noReplica(let path):
            "no replica in \(path); create one with `napsync init --data-dir \(path) --department NAME`"
        case .replicaExists(let path):
            "\(path) already holds a replica; pass --force to overwrite it (its unsynced data is lost) or choose another --data-dir"
        case .unsupportedSchema(let path):
            "the replica in \(path) was written by a newer napsync (unknown schema migrations); upgrade napsync"
        case .notOwner(let node, let owner, let record):
            "node \(node.short) (\(owner)) may not write \(record): only its owner \(record.owner) writes it"
        case .recordRemoved(let record):
            "\(record) was removed; restore it first (`napsync record restore \(record)`)"
        case .recordNotFound(let record):
            "no record \(record); `napsync show` lists what this node holds"
        case .noConflict(let record, let field):
            "no open conflict on \(record) field \(field); `napsync conflicts` lists the open ones"
        case .invalid(let error):
            error.description
        case .malformedChangeSet(let sender, let reason):
            "change set from \(sender) refused: \(reason); nothing was applied. Ask the sender for a new export"
        case .unreadableFile(let path, let reason):
            "cannot read \(path): \(reason); check the path"
        case .unwritableFile(let path, let reason):
            "cannot write \(path): \(reason)"
        case .wrongDataset(let sender, let expected, let found):
            "change set from \(sender) is for dataset '\(found)', this replica holds '\(expected)'; nothing was applied"
        case .unsupportedVersion(let sender, let version):
            "change set from \(sender) has format version \(version), this napsync reads version \(ChangeSetFormat.version); upgrade the older side"
        case .sequenceGap(let sender, let origin, let expected, let found):
            "change set from \(sender) skips changes of node \(origin.short) (next expected \(expected), found \(found)); nothing was applied. Export again for this node's current clock"
        case .missingDependency(let sender, let change, let dependency):
            "change set from \(sender): change \(change) depends on \(dependency), which this replica lacks; nothing was applied. Export again for this node's current clock"
        case .forbiddenWrite(let sender, let change, let originOwner, let record):
            "change set from \(sender) refused: change \(change) by a \(originOwner) node writes \(record), which belongs to \(record.owner); nothing was applied"
        case .conflictingReplay(let sender, let change):
            "change set from \(sender) refused: it carries change \(change) with content different from the change already held under that id; nothing was applied"
        case .originOwnerChanged(let sender, let origin, let known, let claimed):
            "change set from \(sender) refused: node \(origin.short) is known as \(known) but claims \(claimed); nothing was applied"
        case .untrustedOrigin(let sender, let origin, let reason):
            "change set from \(sender) refused: changes of node \(origin.short) cannot be trusted (\(reason)); nothing was applied, the set is in quarantine"
        case .revokedOrigin(let sender, let origin):
            "change set from \(sender) refused: node \(origin.short) was revoked; nothing was applied, the set is in quarantine"
        case .badSignature(let sender, let origin, let reason):
            "change set from \(sender) refused: changes of node \(origin.short) are \(reason) (forged or tampered with); nothing was applied, the set is in quarantine"
        case .damagedReplica(let reason):
            "the replica's stored data is inconsistent: \(reason); nothing was changed. `napsync check` lists every inconsistency. \(Self.repairAdvice)"
        }
    }

    /// Whether `error` is this replica's own failure rather than a refusal of what was given to it: SQLite could
    /// not read or write (a full disk, an I/O error), or the stored data is damaged. A peer that sent a change set
    /// is then told to come back later, not that its change set was refused.
    public static func isLocalFailure(_ error: any Error) -> Bool {
        if error is DatabaseError { return true }
        if case ReplicaError.damagedReplica = error { return true }
        return false
    }

    /// What to do with a damaged replica, for its operator.
    public static let repairAdvice =
        "Stop the service and copy the data directory aside, then restore the replica from a backup, or create the node again (`napsync init --force`) and sync it from its peers: changes it had not yet synced are then lost"
}
