import Foundation
import NAPModel
import SyncCore

/// What a run of ``DemoScenario`` left behind, for the command's last words and for tests.
public struct DemoOutcome: Sendable {
    /// One node at the end of the demo.
    public struct Node: Sendable {
        public var name: String
        public var directory: URL
        public var nodeID: NodeID
        /// SHA-256 of the node's canonical export: equal digests mean equal data, conflicts included.
        public var digest: String
        public var openConflicts: Int
    }

    /// The demo directory: `nodes/<name>` for each node, `reports/` for the reports.
    public var directory: URL
    /// The coordinator first, then the department nodes in sync order.
    public var nodes: [Node]
    /// The conflict the two Defence nodes' concurrent edit opened, as the coordinator holds it.
    public var conflict: ConflictSummary
    /// The report files the coordinator wrote.
    public var reportFiles: [URL]

    /// Whether every node holds the same data.
    public var converged: Bool { Set(nodes.map(\.digest)).count == 1 }

    public var reportsDirectory: URL { directory.appendingPathComponent(DemoScenario.reportsDirectoryName) }
}
