import Foundation
import GRDB
import SyncCore

/// Damage done to a replica's file behind its back, as a failing disk or a hand edit could, for tests of how
/// napsync reports it.
public enum ReplicaDamage {
    /// Renumbers every origin of the replica in `directory`: record states and the change log then name local
    /// origins the origin table no longer holds.
    public static func renumberOrigins(inReplicaAt directory: URL) throws {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = false
        let path = directory.appendingPathComponent(Replica.databaseFileName).path
        try DatabaseQueue(path: path, configuration: configuration).write { db in
            try db.execute(sql: "UPDATE origin SET idx = idx + 100")
        }
    }
}
