import Foundation
import Synchronization
@testable import SyncCore
import Testing

/// What a writer hands to `ReleaseQueue` is freed by the time `wait()` returns, so nothing an apply built
/// outlives it.
@Suite struct ReleaseQueueTests {
    final class Counter: Sendable {
        let freed = Mutex(0)
    }

    final class Tracked: Sendable {
        let counter: Counter
        init(counter: Counter) { self.counter = counter }
        deinit {
            // Slow enough that a `wait()` that did not wait would see most of them still held.
            usleep(200)
            counter.freed.withLock { $0 += 1 }
        }
    }

    @Test func everythingHandedOverIsFreedWhenWaitReturns() {
        let counter = Counter()
        let releases = ReleaseQueue()
        for _ in 0..<100 {
            releases.release([Tracked(counter: counter), Tracked(counter: counter)])
        }
        releases.wait()
        #expect(counter.freed.withLock { $0 } == 200)
    }

    @Test(.enabled(if: ReleaseQueue.isActive, "one core: values are freed where they are handed over"))
    func heldValuesWaitForReleaseHeld() {
        let counter = Counter()
        let releases = ReleaseQueue()
        for _ in 0..<10 { releases.hold([Tracked(counter: counter)]) }
        // Nothing was handed to another thread: they are all still alive well after another thread would have
        // freed them (in about 2 ms).
        usleep(50_000)
        #expect(counter.freed.withLock { $0 } == 0)
        releases.releaseHeld()
        releases.wait()
        #expect(counter.freed.withLock { $0 } == 10)
    }

    @Test(.enabled(if: ReleaseQueue.isActive, "one core: values are freed where they are handed over"))
    func holdingPastTheLimitFreesWhatIsHeld() {
        let counter = Counter()
        let releases = ReleaseQueue()
        for _ in 0..<ReleaseQueue.heldLimit { releases.hold([Tracked(counter: counter)]) }
        releases.hold([Tracked(counter: counter)])
        // Reaching the limit handed the first `heldLimit` over; waiting for them alone leaves only the last held.
        // (The bound only matters when they are never handed over.)
        for _ in 0..<10_000 where counter.freed.withLock({ $0 }) < ReleaseQueue.heldLimit { usleep(1_000) }
        #expect(counter.freed.withLock { $0 } == ReleaseQueue.heldLimit)
        releases.wait()
        #expect(counter.freed.withLock { $0 } == ReleaseQueue.heldLimit + 1)
    }
}
