import Dispatch
import Foundation
import Synchronization

/// Frees large values on another thread while the writer goes on.
///
/// Freeing what an apply built (the decoded changes of each batch, the record states of each chunk: every
/// value, field and version is an allocation) took about a fifth of the writer's time, on the thread every apply
/// waits for, while the second core was mostly idle. The writer hands such values over instead of dropping them;
/// `wait()` returns once all of them are freed, so nothing outlives the apply that made it.
///
/// While a large set is decoded, the second core decodes: what the writer is done with then is held (`hold`)
/// and freed once decoding ends (`releaseHeld`), rather than by a third busy thread on two cores, which took the
/// writer off its core (docs/benchmarks.md, eleventh run).
final class ReleaseQueue: Sendable {
    /// The global queue rather than a serial queue of napsync's own: several replicas apply at once in one
    /// process (a coordinator, the benchmark's departments), and one apply's frees must not wait behind another's.
    private static let queue = DispatchQueue.global(qos: .userInitiated)
    private let pending = DispatchGroup()
    /// On one core, handing over would only add work.
    static let isActive = ProcessInfo.processInfo.activeProcessorCount > 1

    /// Takes `value` and frees it on another thread (here, when there is no second core).
    func release<Value: Sendable>(_ value: consuming Value) {
        guard Self.isActive else { return }
        let box = Box(value)
        Self.queue.async(group: pending) { box.drop() }
    }

    /// Values held for `releaseHeld()`; past `heldLimit` of them they are freed at once, so that a very large
    /// set does not keep all its decoded batches.
    private let held = Mutex<[any Sendable]>([])
    static let heldLimit = 64

    /// Takes `value` and frees it on another thread after the next `releaseHeld()`.
    func hold<Value: Sendable>(_ value: consuming Value) {
        guard Self.isActive else { return }
        let box = Box(value)
        let full = held.withLock { held in
            held.append(box)
            return held.count >= Self.heldLimit
        }
        if full { releaseHeld() }
    }

    /// Frees, on another thread, everything held so far.
    func releaseHeld() {
        let boxes = held.withLock { held in
            let boxes = held
            held = []
            return boxes
        }
        guard !boxes.isEmpty else { return }
        release(boxes)
    }

    /// Waits until everything handed over is freed (held values included).
    func wait() {
        releaseHeld()
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
