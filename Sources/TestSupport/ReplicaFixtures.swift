import Foundation
import Logging
import NAPModel
import SyncCore

/// Replicas in temp directories, and a direct way to sync them, for tests.
public struct ReplicaFixture {
    public let directory: TemporaryDirectory

    public init() throws { directory = try TemporaryDirectory(prefix: "napsync-replicas") }

    /// Creates a node for `owner` in its own subdirectory.
    public func make(_ owner: Owner, name: String? = nil) throws -> Replica {
        let name = name ?? "\(owner.slug)-\(UUID().uuidString.prefix(4))"
        return try Replica.create(at: directory.appending(name), owner: owner, logger: Logger.silent)
    }

    public func make(_ department: Department, name: String? = nil) throws -> Replica {
        try make(.department(department), name: name)
    }
}

extension Logger {
    /// A logger that prints nothing, for tests that don't inspect logs.
    public static let silent = Logger(label: "napsync.test", factory: { _ in SwiftLogNoOpLogHandler() })
}

extension ChangeSetExchange {
    /// Sends everything `peer` lacks from this replica to `peer`, in chunks. Returns the changes applied.
    @discardableResult
    public func push(to peer: some ChangeSetExchange, chunk: Int = 10_000) throws -> Int {
        var applied = 0
        var peerClock = try peer.currentClock()
        while let outgoing = try changeSet(missingFrom: peerClock, maxChanges: chunk) {
            applied += try peer.apply(changeSet: outgoing.data).applied
            peerClock = outgoing.peerClockAfter
            if !outgoing.hasMore { break }
        }
        return applied
    }
}

extension ReplicaFixture {
    /// Founds a network at `coordinator` and admits every node in `members`, as the join files would.
    public func join(_ members: [Replica], to coordinator: Replica) throws {
        if try coordinator.networkRoot() == nil { try coordinator.createNetwork() }
        for member in members { try member.install(try coordinator.admit(try member.joinRequest())) }
    }
}

/// A founded network with a coordinator and two admitted departments, Defence and Justice.
public struct JoinedNetwork {
    public let fixture: ReplicaFixture
    public let coordinator: Replica
    public let defence: Replica
    public let justice: Replica

    public init() throws {
        fixture = try ReplicaFixture()
        coordinator = try fixture.make(.coordinator, name: "coordinator")
        defence = try fixture.make(.defence, name: "defence")
        justice = try fixture.make(.justice, name: "justice")
        try fixture.join([defence, justice], to: coordinator)
    }
}
