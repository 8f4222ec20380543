import Foundation
import NIOCore

/// The size of the thread pool that replica work runs on (NIO's blocking pool: SQLite reads, applies, and the
/// fsync of every commit). NIO sizes it to the core count, which leaves a core idle whenever a thread waits for
/// the disk; a coordinator serving ten departments at once waits on the disk often.
public enum ReplicaWorkPool {
    /// The variable NIO reads to size the pool; when it is set, napsync leaves the choice to it.
    public static let environmentVariable = "NIO_SINGLETON_BLOCKING_POOL_THREAD_COUNT"

    /// Threads for `cores` cores: enough that disk waits do not idle the processor.
    public static func threadCount(cores: Int) -> Int { max(8, 4 * cores) }

    /// Sizes the pool. Call once, at the very start of the process, before anything uses NIO (NIO stops the
    /// process if the size is set twice or after the pool exists).
    public static func configure(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment[environmentVariable] == nil else { return }
        NIOSingletons.blockingPoolThreadCountSuggestion = threadCount(cores: System.coreCount)
    }
}
