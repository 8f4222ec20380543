import ArgumentParser
import Foundation
import NAPModel
import SyncCore
import SyncServer

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show this node: id, department, role, vector clock and the digest of its dataset.",
        discussion: """
            Two replicas that hold the same data show the same digest. `napsync status --json > clock.json` gives
            the clock file that `napsync bundle export --for` takes.
            """)

    @OptionGroup var options: ReplicaOptions
    @Flag(help: "Print JSON for scripts (keys: node, department, role, dataset, clock, digest, records, conflicts).") var json = false

    struct Status: Codable {
        var node: String
        var department: String
        var role: String
        var dataset: String
        var clock: VectorClock
        var digest: String
        var records: Int
        var conflicts: Int
        /// The network's fingerprint, or nil while the node has not joined one (changes are then not verified).
        var network: String?
        var quarantined: Int
        /// Why the latest refused change set was refused, if any.
        var lastRefusal: String?
        /// Each configured peer's last sync, lag and reachability, as the daemon last saw them.
        var peers: [PeerStatus]
    }

    func run() throws {
        let replica = try options.openReplica()
        let export = try replica.canonicalExport()
        let quarantined = try replica.quarantined()
        let status = Status(
            node: replica.nodeID.hex, department: replica.identity.owner.slug, role: replica.identity.role.rawValue,
            dataset: replica.identity.datasetID, clock: try replica.clock(), digest: try export.digest(),
            records: export.records.count, conflicts: export.conflicts.count, network: try replica.networkFingerprint(),
            quarantined: quarantined.count, lastRefusal: quarantined.last.map { "\($0.sender): \($0.reason)" },
            peers: (try? PeerStateStore(dataDirectory: options.directory).load()) ?? [])
        if json {
            try printJSON(status)
            return
        }
        let nodes = try replica.knownNodes()
        print("node       \(status.node)")
        print("department \(status.department)  (role: \(status.role))")
        print("dataset    \(status.dataset)")
        print("records    \(status.records)  open conflicts: \(status.conflicts)")
        print("network    \(status.network ?? "none: not joined, changes are not signature-checked (see `napsync join --help`)")")
        print("quarantine \(status.quarantined) refused change set(s)\(status.quarantined > 0 ? "; `napsync quarantine` lists them" : "")")
        if let lastRefusal = status.lastRefusal { print("           latest: \(lastRefusal)") }
        print("digest     \(status.digest)")
        if status.peers.isEmpty {
            print("peers      none synced yet (`napsync serve --peer URL` or `napsync sync --peer URL`)")
        } else {
            print("peers")
            let formatter = ISO8601DateFormatter()
            for peer in status.peers {
                let last = peer.lastSuccess.map { formatter.string(from: $0) } ?? "never"
                let lag = peer.lag.map { "missing here \($0.inbound), there \($0.outbound)" } ?? "lag unknown"
                print("  \(peer.peer)  \(peer.reachability.rawValue)  last sync \(last)  \(lag)\(peer.lastError.map { "  (\($0))" } ?? "")")
            }
        }
        print("clock")
        for (node, seq) in status.clock.entries.sorted(by: { $0.key < $1.key }) {
            print("  \(node.hex)  \(nodes[node] ?? "?")  \(seq)")
        }
    }
}
