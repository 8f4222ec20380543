import Dispatch
import Foundation

/// Maps independent items on several threads, each taking one contiguous slice: for pure work over many items
/// that does not need the database (hashing the changes of a received set), which the writer would otherwise do
/// alone while the other cores wait.
enum ParallelMap {
    /// The transform of every item, in order, computed by `workers` threads (on the calling thread when it is
    /// 1 or less).
    static func map<Item, Result>(
        _ items: UnsafeBufferPointer<Item>, workers requested: Int, _ transform: (borrowing Item) -> Result
    ) -> [Result] {
        let workers = min(requested, items.count)
        guard workers > 1 else {
            var results: [Result] = []
            results.reserveCapacity(items.count)
            for position in items.indices { results.append(transform(items[position])) }
            return results
        }
        let sliceSize = (items.count + workers - 1) / workers
        return withoutActuallyEscaping(transform) { transform in
            [Result](unsafeUninitializedCapacity: items.count) { output, initialized in
                let job = Job(items: items, output: output, transform: transform)
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let start = worker * sliceSize
                    for position in start..<min(start + sliceSize, job.items.count) {
                        (job.output.baseAddress! + position).initialize(to: job.transform(job.items[position]))
                    }
                }
                initialized = items.count
            }
        }
    }

    /// How many threads suit `count` items when each thread should get at least `minimumPerWorker` of them.
    static func workers(for count: Int, minimumPerWorker: Int) -> Int {
        min(ProcessInfo.processInfo.activeProcessorCount, count / minimumPerWorker)
    }

    /// What the workers share. Each writes only its own slice of `output`, and `concurrentPerform` returns
    /// before the buffers' and the transform's scopes end.
    private struct Job<Item, Result>: @unchecked Sendable {
        let items: UnsafeBufferPointer<Item>
        let output: UnsafeMutableBufferPointer<Result>
        let transform: (borrowing Item) -> Result
    }
}
