import GRDB

/// Copies a replica's write-ahead log into its database file, on a connection of its own.
///
/// A replica's writer leaves its log to a checkpointer (`PRAGMA wal_autocheckpoint` at
/// `Replica.autocheckpointPages`, ten times SQLite's default, as a backstop only): SQLite's automatic checkpoint
/// ran inside the commit that crossed its threshold, so that commit, an apply or a local write, waited while the
/// log was copied (about 20 ms of row 2a's 240 ms, docs/benchmarks.md). The daemon checkpoints on a schedule
/// instead, and SQLite checkpoints when the last connection to the database closes, which is how a command run
/// without the daemon leaves the replica.
public final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue

    /// A checkpointer of the WAL database at `databasePath` (the benchmarks' plain tables use one too).
    public init(databasePath: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        connection = try DatabaseQueue(path: databasePath, configuration: configuration)
    }

    /// A passive checkpoint: copies what no reader still needs, waiting for no one and blocking no writer.
    /// Returns the frames in the log and how many of them are now in the database file.
    @discardableResult
    public func checkpoint() throws -> (logFrames: Int, checkpointedFrames: Int) {
        let result = try connection.writeWithoutTransaction { db in try db.checkpoint(.passive) }
        return (result.walFrameCount, result.checkpointedFrameCount)
    }
}
