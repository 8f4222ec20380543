import Foundation
import GRDB
import Logging
import NAPModel

/// Who a node is: its id, the owner it writes for, and the dataset it replicates.
public struct NodeIdentity: Sendable, Hashable, Codable {
    public enum Role: String, Sendable, Hashable, Codable {
        case department
        case coordinator
    }

    public var nodeID: NodeID
    public var owner: Owner
    public var datasetID: String

    public init(nodeID: NodeID, owner: Owner, datasetID: String) {
        self.nodeID = nodeID
        self.owner = owner
        self.datasetID = datasetID
    }

    public var role: Role { owner == .coordinator ? .coordinator : .department }
}

/// A node's SQLite replica of the NAP dataset: the change log, the record states and the vector clock.
///
/// All writes go through one path that records a tracked change in the same transaction as the data; all
/// received change sets are applied atomically. Safe to share between tasks: GRDB serialises the writes.
public final class Replica: Sendable {
    public static let databaseFileName = "replica.sqlite"

    public static let keyFileName = "node.key"
    public static let rootKeyFileName = "network-root.key"

    public let identity: NodeIdentity
    public let directory: URL
    let database: DatabasePool
    let logger: Logger
    /// This node's signing key, which signs its checkpoints.
    let signer: NodeKey?

    private init(identity: NodeIdentity, directory: URL, database: DatabasePool, logger: Logger) throws {
        self.identity = identity
        self.directory = directory
        self.database = database
        let keyFile = directory.appendingPathComponent(Self.keyFileName)
        self.signer = FileManager.default.fileExists(atPath: keyFile.path) ? try NodeKey.load(from: keyFile) : nil
        var logger = logger
        logger[metadataKey: "napsync.node"] = "\(identity.nodeID.short)"
        self.logger = logger
    }

    /// Creates a new node in `directory` with a fresh node id.
    public static func create(
        at directory: URL, owner: Owner, datasetID: String = Plan.bundled.id, overwrite: Bool = false, logger: Logger
    ) throws -> Replica {
        let path = directory.appendingPathComponent(databaseFileName).path
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: path) {
            guard overwrite else { throw ReplicaError.replicaExists(path: directory.path) }
            for suffix in ["", "-wal", "-shm"] { try? fileManager.removeItem(atPath: path + suffix) }
            for file in [keyFileName, rootKeyFileName] { try? fileManager.removeItem(at: directory.appendingPathComponent(file)) }
        }
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let database = try openPool(path)
        try ReplicaSchema.migrator.migrate(database)
        let identity = NodeIdentity(nodeID: .random(), owner: owner, datasetID: datasetID)
        _ = try NodeKey.create(at: directory.appendingPathComponent(keyFileName))
        try database.write { db in
            for (key, value) in [("node_id", identity.nodeID.hex), ("owner", owner.slug), ("dataset", datasetID)] {
                try db.execute(sql: "INSERT INTO node (key, value) VALUES (?, ?)", arguments: [key, value])
            }
            try db.execute(sql: "INSERT INTO origin (node_id, owner) VALUES (?, ?)", arguments: [identity.nodeID.hex, owner.slug])
        }
        logger.info(
            "created replica",
            metadata: ["napsync.node": "\(identity.nodeID.short)", "napsync.owner": "\(owner)", "napsync.path": "\(path)"])
        return try Replica(identity: identity, directory: directory, database: database, logger: logger)
    }

    /// Opens the replica in `directory`, migrating its schema if an older napsync created it.
    public static func open(at directory: URL, logger: Logger) throws -> Replica {
        let path = directory.appendingPathComponent(databaseFileName).path
        guard FileManager.default.fileExists(atPath: path) else { throw ReplicaError.noReplica(path: directory.path) }
        let database = try openPool(path)
        let migrator = ReplicaSchema.migrator
        if try database.read({ try migrator.hasBeenSuperseded($0) }) {
            throw ReplicaError.unsupportedSchema(path: directory.path)
        }
        try migrator.migrate(database)
        let values = try database.read { db in
            try Dictionary(uniqueKeysWithValues: Row.fetchAll(db, sql: "SELECT key, value FROM node").map { ($0["key"] as String, $0["value"] as String) })
        }
        guard let node = values["node_id"].flatMap(NodeID.init(hex:)), let owner = values["owner"].flatMap(Owner.init(slug:)),
            let dataset = values["dataset"]
        else { throw ReplicaError.noReplica(path: directory.path) }
        return try Replica(identity: NodeIdentity(nodeID: node, owner: owner, datasetID: dataset), directory: directory, database: database, logger: logger)
    }

    /// Opens the SQLite database at `path` as a replica opens its own: public so that the benchmarks' baselines
    /// and floors open theirs the same way, rather than repeat the settings.
    public static func openPool(_ path: String) throws -> DatabasePool {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        let pool = try DatabasePool(path: path, configuration: configuration)
        // Set on the writer after GRDB's WAL setup, which would otherwise leave it at NORMAL: an acknowledged
        // write must survive a power cut, not only a crash of the process. A larger page cache keeps the
        // record and change indexes in memory during long applies. The writer leaves the log to a checkpointer
        // (see `WALCheckpointer`), checkpointing itself only past `autocheckpointPages`.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -65536")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(autocheckpointPages)")
            try db.execute(sql: "PRAGMA journal_size_limit = \(logSizeLimit)")
        }
        return pool
    }

    /// Past this many pages of write-ahead log (about 40 MiB), the commit that crosses it checkpoints, as
    /// SQLite's default does at 1,000: a backstop for a process that holds a replica without the daemon's
    /// checkpointer (`napsync sync` without a daemon, a long bundle import) or whose checkpointer falls behind.
    /// A 100,000-change apply writes about 3,300 pages (docs/benchmarks.md, row 2e).
    public static let autocheckpointPages = 10_000
    /// The size the log file is cut back to when it starts over after a checkpoint (`journal_size_limit`), so
    /// that one large apply does not leave a large file behind for good.
    public static let logSizeLimit = 64 << 20

    /// Checks the database file for corruption (`PRAGMA integrity_check`); returns the problems found.
    public func integrityProblems() throws -> [String] {
        try database.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }.filter { $0 != "ok" }
    }

    /// The replica's vector clock.
    public func clock() throws -> VectorClock {
        try database.read { db in try OriginDirectory(db).clock }
    }

    /// Runs `body` in one write transaction; the changes it makes commit together or not at all. With
    /// `freeingElsewhere`, large values the transaction is done with are freed on another thread (see
    /// `ReleaseQueue`), which this waits for after the commit: for applies, not for a local write's few values.
    func transaction<T>(freeingElsewhere: Bool = false, _ body: (inout ReplicaTransaction) throws -> T) throws
        -> (T, conflictsOpened: Int)
    {
        let releases = freeingElsewhere ? ReleaseQueue() : nil
        defer { releases?.wait() }
        return try database.writeWithoutTransaction { db in
            // BEGIN and COMMIT from the statement cache: `DatabaseWriter.write` parses both again for every
            // transaction, about 5% of a single local write (`--profile write`). Committing here also tells the
            // transaction it committed, without a transaction observer registered for each one.
            try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
            do {
                var transaction = try ReplicaTransaction(db, identity: identity, releases: releases)
                let result = try body(&transaction)
                let opened = try transaction.flush()
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
                transaction.committed()
                return (result, opened)
            } catch {
                if db.isInsideTransaction { try? db.rollback() }
                WriterSnapshotCache.forget(db)
                throw error
            }
        }
    }
}
