import Dispatch
import Foundation

/// Frees large values on another thread while the writer goes on.
///
/// Freeing what an apply built (the decoded changes of each batch, the record states of each chunk: every
/// value, field and version is an allocation) took about a fifth of the writer's time, on the thread every apply
/// waits for, while the second core was mostly idle. The writer hands such values over instead of dropping them;
/// `wait()` returns once all of them are freed, so nothing outlives the apply that made it.
final class ReleaseQueue: Sendable {
    /// The global queue rather than a serial queue of napsync's own: several replicas apply at once in one
    /// process (a coordinator, the benchmark's departments), and one apply's frees must not wait behind another's.
    private static let queue = DispatchQueue.global(qos: .userInitiated)
    private let pending = DispatchGroup()
    /// On one core, handing over would only add work.
    private static let isActive = ProcessInfo.processInfo.activeProcessorCount > 1

    /// Takes `value` and frees it on another thread (here, when there is no second core).
    func release<Value: Sendable>(_ value: consuming Value) {
        guard Self.isActive else { return }
        let box = Box(value)
        Self.queue.async(group: pending) { box.drop() }
    }

    /// Waits until everything handed over is freed.
    func wait() {
        pending.wait()
    }

    /// Holds the only reference, so that the value is freed where `drop()` runs.
    private final class Box<Value: Sendable>: @unchecked Sendable {
        // Touched by the writer before `async` and by the freeing thread after it: never at once.
        private var value: Value?

        init(_ value: consuming Value) { self.value = value }

        func drop() { value = nil }
    }
}
