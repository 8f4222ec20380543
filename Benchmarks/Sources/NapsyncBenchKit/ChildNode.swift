import Foundation
import Logging
import ServiceLifecycle
import SyncCore
import SyncServer
import UnixSignals

/// A node served by a child process of the benchmark (the same executable, started with `--serve-node DIR`), so
/// that its memory is measured on its own: the child runs what `napsync serve` runs (``NapsyncDaemon`` with its
/// replica, the replica work pool sized by ``ReplicaWorkPool``), on 127.0.0.1 at a free port.
public struct ChildNode: Sendable {
    /// The file in the node's directory where the child writes its port once it listens.
    static let portFileName = "bench-port"

    let process: Process
    public let url: String

    /// Starts the child for the replica in `directory`, with `chunkSize` changes per change set at most, and
    /// waits until it listens.
    static func start(serving directory: URL, chunkSize: Int) async throws -> ChildNode {
        let portFile = directory.appendingPathComponent(portFileName)
        try? FileManager.default.removeItem(at: portFile)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["--serve-node", directory.path, "--serve-chunk-size", String(chunkSize)]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text) {
                return ChildNode(process: process, url: "http://127.0.0.1:\(port)")
            }
            guard process.isRunning else { throw BenchError("the child node exited with status \(process.terminationStatus)") }
            try await Task.sleep(for: .milliseconds(10))
        }
        process.terminate()
        throw BenchError("the child node did not listen within 30 s")
    }

    /// The child's peak resident size over its life so far, in bytes.
    var peakResident: Int? { ProcessMemory.peakResident(process: process.processIdentifier) }

    /// The child's resident size now, in bytes.
    var resident: Int? { ProcessMemory.resident(process: process.processIdentifier) }

    /// Stops the child with SIGTERM (a graceful shutdown, as systemd does) and waits for it.
    func stop() async throws {
        process.terminate()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        guard !process.isRunning else { throw BenchError("the child node did not stop within 30 s of SIGTERM") }
    }

    /// The child's side: serves the replica in `directory` until SIGTERM, after writing its port.
    public static func serve(directory: URL, chunkSize: Int) throws {
        let replica = try Replica.open(at: directory, logger: BenchReplicas.silent)
        var configuration = NapsyncConfiguration(dataDirectory: directory)
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.chunkSize = chunkSize
        let portFile = directory.appendingPathComponent(portFileName)
        let daemon = NapsyncDaemon(
            configuration: configuration, exchange: replica, logger: BenchReplicas.silent, environment: [:],
            onListening: { _, port in try? Data(String(port).utf8).write(to: portFile, options: .atomic) })
        try SyncBenchmarks.blocking { try await daemon.makeServiceGroup(gracefulShutdownSignals: [.sigterm]).run() }
    }
}
