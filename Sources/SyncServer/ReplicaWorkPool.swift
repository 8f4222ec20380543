import NIOCore
import NIOPosix

/// The threads that replica work runs on: SQLite reads, applies and the fsync of every commit, and the
/// signatures around them. NIO's shared blocking pool has one thread per core, which leaves a core idle whenever
/// a thread waits for the disk, and a coordinator serving ten departments at once waits on the disk often; so
/// napsync keeps a pool of its own, sized to wait.
public enum ReplicaWorkPool {
    /// Threads for `cores` cores: enough that disk waits do not idle the processor.
    public static func threadCount(cores: Int) -> Int { max(8, 4 * cores) }

    /// The process's pool, started on first use and kept for the life of the process (as NIO's own singletons
    /// are): every daemon, session and HTTP handler in the process shares it.
    public static let shared: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: threadCount(cores: System.coreCount))
        pool.start()
        return pool
    }()
}
