import Foundation
import NIOPosix
import Synchronization
import SyncServer
import Testing

@Suite struct ReplicaWorkPoolTests {
    @Test func aSmallMachineGetsEnoughThreadsToWaitForTheDisk() {
        #expect(ReplicaWorkPool.threadCount(cores: 1) == 8)
        #expect(ReplicaWorkPool.threadCount(cores: 2) == 8)
        #expect(ReplicaWorkPool.threadCount(cores: 16) == 64)
    }

    @Test func eightBlockingCallsRunAtOnce() async throws {
        // Given eight calls that each block until all eight have started (as calls waiting for an fsync would)
        let started = StartedCount()
        let deadline = ContinuousClock.now + .seconds(60)
        // When they run on the pool at the same time, then every one sees all eight started: none waited for a
        // thread that another held (NIO's shared pool has one thread per core)
        let allMet = try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await ReplicaWorkPool.shared.runIfActive {
                        started.count.withLock { $0 += 1 }
                        while started.count.withLock({ $0 }) < 8 && ContinuousClock.now < deadline { usleep(1_000) }
                        return started.count.withLock { $0 } == 8
                    }
                }
            }
            var results: [Bool] = []
            for try await met in group { results.append(met) }
            return results
        }
        #expect(allMet == Array(repeating: true, count: 8))
    }
}

private final class StartedCount: Sendable {
    let count = Mutex(0)
}
