import Foundation

/// Why `napsync demo` stopped. Each case names the node or step; the message says what to do.
public enum DemoError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The demo directory is a file or already holds files; the demo writes into a new or empty directory only.
    case directoryInUse(path: String)
    /// The coordinator's HTTP server stopped before it listened.
    case serverDidNotStart
    /// A department's sync session with the coordinator failed.
    case syncFailed(node: String, peer: String, reason: String)
    /// The concurrent edit of the two Defence nodes opened no conflict: a merge bug.
    case conflictMissing(record: String, field: String)
    /// The nodes hold different data after the last round: a sync bug.
    case diverged(digests: [String: String])

    public var description: String {
        switch self {
        case .directoryInUse(let path):
            "\(path) is not an empty directory; give a new or empty one to --dir, or leave --dir out to use a "
                + "temporary one"
        case .serverDidNotStart:
            "the coordinator's HTTP server stopped before listening on 127.0.0.1; run with --log-level debug to see why"
        case .syncFailed(let node, let peer, let reason):
            "node \(node) could not sync with the coordinator at \(peer): \(reason)"
        case .conflictMissing(let record, let field):
            "the concurrent edit of \(record) \(field) opened no conflict; this is a bug, please report it"
        case .diverged(let digests):
            "the nodes did not converge ("
                + digests.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.prefix(12))" }.joined(separator: ", ")
                + "); this is a bug, please report it with the demo directory"
        }
    }
}
