import Synchronization

/// A clock that moves only when a test advances it. Sleepers are visible, so a test can wait until the code under
/// test sleeps and read the deadline it chose.
final class ManualClock: Clock, Sendable {
    struct Instant: InstantProtocol, CustomStringConvertible {
        var offset: Duration

        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
        var description: String { "t+\(offset)" }
    }

    private struct Sleeper {
        var id: Int
        var deadline: Instant
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now = Instant(offset: .zero)
        var sleepers: [Sleeper] = []
        var nextID = 0
    }

    private let state = Mutex(State())

    var now: Instant { state.withLock { $0.now } }
    var minimumResolution: Duration { .zero }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        let id = state.withLock { state in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let resumeNow = state.withLock { state -> Bool in
                    if deadline <= state.now { return true }
                    state.sleepers.append(Sleeper(id: id, deadline: deadline, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let sleeper = state.withLock { state -> Sleeper? in
                guard let index = state.sleepers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.sleepers.remove(at: index)
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Deadlines of the tasks sleeping now.
    var sleepingUntil: [Instant] { state.withLock { $0.sleepers.map(\.deadline) } }

    /// Moves time to `instant`, waking every sleeper whose deadline has come.
    func advance(to instant: Instant) {
        let woken = state.withLock { state -> [Sleeper] in
            state.now = max(state.now, instant)
            let due = state.sleepers.filter { $0.deadline <= state.now }
            state.sleepers.removeAll { $0.deadline <= state.now }
            return due
        }
        for sleeper in woken { sleeper.continuation.resume() }
    }

    func advance(by duration: Duration) { advance(to: now.advanced(by: duration)) }

    /// Waits (in real time, briefly) until some task sleeps on this clock; returns the earliest deadline. The
    /// timeout only keeps a broken test from hanging; it is generous because CI machines can be busy.
    func nextSleep(timeout: Duration = .seconds(60)) async throws -> Instant {
        let start = ContinuousClock.now
        while true {
            if let deadline = sleepingUntil.min() { return deadline }
            guard ContinuousClock.now - start < timeout else {
                throw TimeoutError(what: "a sleeper on the manual clock")
            }
            try await Task.sleep(for: .milliseconds(2))
        }
    }
}

struct TimeoutError: Error, CustomStringConvertible {
    var what: String
    var description: String { "timed out waiting for \(what)" }
}
