/// What the change log stores for a received change that can be computed before the writer gets to it: the
/// origin's chain value after it and its stored body. Either is nil when it could not be computed ahead (an
/// origin this replica had no chain value or local index for when the set started); the writer then
/// computes it.
struct PreparedChange: Sendable {
    var chain: ChainHash?
    var body: [UInt8]?

    /// Prepares `changes` in order. `chains` holds, for each origin, the chain value before its first change in
    /// `changes`, and is advanced past them; `indexes` maps the nodes this replica knows to their local index.
    static func prepare(
        _ changes: UnsafeBufferPointer<Change>, digests: [ChainHash], chains: inout [NodeID: ChainHash], indexes: [NodeID: Int64]
    ) -> [PreparedChange] {
        var prepared: [PreparedChange] = []
        prepared.reserveCapacity(changes.count)
        for position in changes.indices {
            var result = PreparedChange()
            let origin = changes[position].origin
            if let previous = chains[origin] {
                let chain = ChangeChain.next(previous, digests[position])
                chains[origin] = chain
                result.chain = chain
            }
            if changes[position].supersedes.allSatisfy({ indexes[$0.origin] != nil }) {
                result.body = StoredEncoding.encodeBody(changes[position], index: { indexes[$0]! })
            }
            prepared.append(result)
        }
        return prepared
    }
}
