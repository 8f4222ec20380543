import Logging
import NIOPosix
import ServiceLifecycle
import SyncCore

/// Checkpoints the replica's write-ahead log every `interval`, off the writer (see `WALCheckpointer`): applies and
/// local writes no longer wait for the log to be copied into the database file, and the log stays short.
public struct WALCheckpointService<C: Clock>: Service where C.Duration == Duration {
    let checkpointer: WALCheckpointer
    let interval: Duration
    let clock: C
    let logger: Logger

    /// Often enough that the log holds at most a few seconds of writes, which a passive checkpoint copies in
    /// milliseconds; a log with nothing new costs one cheap call.
    public static var defaultInterval: Duration { .seconds(1) }

    public init(checkpointer: WALCheckpointer, interval: Duration = Self.defaultInterval, clock: C, logger: Logger) {
        self.checkpointer = checkpointer
        self.interval = interval
        self.clock = clock
        self.logger = logger
    }

    public func run() async throws {
        while !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await clock.sleep(for: interval) }
            } catch {
                break
            }
            do {
                let checkpointer = self.checkpointer
                let result = try await ReplicaWorkPool.shared.runIfActive { try checkpointer.checkpoint() }
                if result.checkpointedFrames < result.logFrames {
                    // Readers still need the rest; the next round copies it.
                    logger.trace(
                        "write-ahead log partly checkpointed",
                        metadata: ["napsync.wal.frames": "\(result.logFrames)", "napsync.wal.checkpointed": "\(result.checkpointedFrames)"])
                }
            } catch {
                logger.warning("cannot checkpoint the write-ahead log; retrying", metadata: ["error": "\(error)"])
            }
        }
    }
}
