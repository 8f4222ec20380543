import Foundation
import SyncCore

/// One node of `napsync demo`: a real replica in its own data directory, as `napsync init` would make it.
public struct DemoNode: Sendable {
    /// The directory name and the label in the demo's output: `coordinator`, `defence`, `defence-2`, ...
    public let name: String
    /// Who runs it, in words.
    public let title: String
    public let replica: Replica
    /// What the node records offline before the first sync.
    let records: DemoSampleData.Records

    public var directory: URL { replica.directory }
    public var nodeID: NodeID { replica.nodeID }
}

/// The demo's nodes: the coordinator and the department nodes, in sync order.
struct DemoNodes: Sendable {
    var coordinator: DemoNode
    var departments: [DemoNode]

    var all: [DemoNode] { [coordinator] + departments }

    /// The node named `name`; the demo only asks for names it created.
    subscript(name: String) -> DemoNode { all.first { $0.name == name }! }

    /// The demo name of a node id as conflicts and clocks show it (hex), or its short id for a stranger.
    func name(ofHex hex: String) -> String {
        all.first { $0.nodeID.hex == hex }?.name ?? String(hex.prefix(8))
    }
}
