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
}
