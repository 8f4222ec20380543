import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The built `napsync` executable, run as a separate process the way staff and scripts run it.
///
/// Tests get everything the command prints: stdout, stderr and the exit status. Each run has a deadline, so a
/// command that hangs fails its test instead of the whole run. The child gets no terminal and an empty stdin,
/// and none of the parent's `NAPSYNC_*` or `STATE_DIRECTORY` settings, so it never touches a real data directory.
public struct NapsyncProcess: Sendable {
    /// The executable this value runs.
    public let executable: URL
    /// How long one run may take before it is killed and reported as timed out.
    public var timeout: Duration
    /// Variables added to every run's environment (a run's own `environment` wins).
    public var environment: [String: String]

    /// The executable found by `locate()`.
    public init(timeout: Duration = .seconds(20), environment: [String: String] = [:]) throws {
        try self.init(executable: Self.locate(), timeout: timeout, environment: environment)
    }

    public init(executable: URL, timeout: Duration = .seconds(20), environment: [String: String] = [:]) {
        self.executable = executable
        self.timeout = timeout
        self.environment = environment
    }

    /// Runs the executable with `arguments` and returns what it printed and its exit status, whatever the status.
    /// Throws only when the process cannot be started or exceeds `timeout`.
    public func run(
        _ arguments: [String], environment extra: [String: String] = [:], in directory: URL? = nil
    ) async throws -> NapsyncResult {
        let capture = try OutputCapture()
        defer { capture.remove() }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = Self.childEnvironment(adding: environment.merging(extra) { $1 })
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = capture.stdout
        process.standardError = capture.stderr

        let exit = ExitWaiter()
        process.terminationHandler = {
            exit.finish($0.terminationStatus, signaled: $0.terminationReason == .uncaughtSignal)
        }
        do {
            try process.run()
        } catch {
            throw NapsyncProcessError.launchFailed(
                executable: executable.path, arguments: arguments, reason: "\(error)")
        }
        // A deadline, not a pause: the work item is cancelled as soon as the process exits on its own. SIGKILL,
        // because a child spawned from a Dispatch worker thread on Linux inherits its blocked SIGTERM.
        let pid = process.processIdentifier
        let deadline = DispatchWorkItem {
            if exit.markTimedOutIfRunning() { kill(pid, SIGKILL) }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + timeout.timeInterval, execute: deadline)
        // Foundation on Linux can miss a child's exit when many processes come and go at once, and then never
        // calls the termination handler. Poll as well; past the deadline, reap the child ourselves.
        let watchdog = DispatchSource.makeTimerSource(queue: .global())
        let reapAfter = DispatchTime.now() + timeout.timeInterval + 2
        watchdog.schedule(deadline: .now() + .milliseconds(200), repeating: .milliseconds(200))
        watchdog.setEventHandler {
            if !process.isRunning {
                exit.finish(process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal)
            } else if DispatchTime.now() > reapAfter {
                var raw: Int32 = 0
                if waitpid(pid, &raw, WNOHANG) == pid {
                    let signal = raw & 0x7f
                    exit.finish(signal == 0 ? (raw >> 8) & 0xff : signal, signaled: signal != 0)
                }
            }
        }
        watchdog.resume()
        let (status, signaled) = await exit.status()
        watchdog.cancel()
        deadline.cancel()

        let result = NapsyncResult(
            arguments: arguments, status: status, killedBySignal: signaled, stdout: try capture.readStdout(),
            stderr: try capture.readStderr())
        if exit.timedOut {
            throw NapsyncProcessError.timedOut(arguments: arguments, after: timeout, partial: result)
        }
        return result
    }

    /// Runs the executable and returns its result, or throws `NapsyncProcessError.failed` (with stderr) if it
    /// exits non-zero: for the steps of a scenario that must work.
    @discardableResult
    public func succeed(
        _ arguments: [String], environment extra: [String: String] = [:], in directory: URL? = nil
    ) async throws -> NapsyncResult {
        let result = try await run(arguments, environment: extra, in: directory)
        guard result.succeeded else { throw NapsyncProcessError.failed(result) }
        return result
    }

    /// The parent's environment without the settings that would point the child at a real node, plus `extra`.
    static func childEnvironment(adding extra: [String: String]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("NAPSYNC_") && key != "STATE_DIRECTORY"
        }
        environment.merge(extra) { $1 }
        return environment
    }
}

extension NapsyncProcess {
    /// The environment variable that names the executable explicitly, e.g. to test an installed build.
    public static let executableVariable = "NAPSYNC_EXECUTABLE"

    /// Finds `napsync`: `$NAPSYNC_EXECUTABLE`, else next to the test bundle or test runner (SwiftPM puts every
    /// product of a build in one directory), else in this package's `.build/debug`.
    public static func locate(filePath: String = #filePath) throws -> URL {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment[executableVariable], !explicit.isEmpty {
            let url = URL(fileURLWithPath: explicit)
            guard FileManager.default.isExecutableFile(atPath: url.path) else {
                throw NapsyncProcessError.notFound(searched: [url.path])
            }
            return url
        }
        let candidates = candidateDirectories(filePath: filePath).map { $0.appendingPathComponent("napsync") }
        if let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) {
            return found
        }
        throw NapsyncProcessError.notFound(searched: candidates.map(\.path))
    }

    static func candidateDirectories(filePath: String) -> [URL] {
        var directories: [URL] = []
        // Linux runs the tests from an executable `<package>PackageTests.xctest` in the build directory; macOS
        // loads a `.xctest` bundle that sits in it.
        if let runner = Bundle.main.executableURL { directories.append(runner.deletingLastPathComponent()) }
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            directories.append(bundle.bundleURL.deletingLastPathComponent())
        }
        // Sources/TestSupport/NapsyncProcess.swift -> the package root.
        let packageRoot = URL(fileURLWithPath: filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        directories.append(packageRoot.appendingPathComponent(".build/debug"))
        var seen = Set<String>()
        return directories.filter { seen.insert($0.standardizedFileURL.path).inserted }
    }
}

/// What one run of `napsync` printed, and how it exited.
public struct NapsyncResult: Sendable, CustomStringConvertible {
    public let arguments: [String]
    /// The exit status, or the signal number when `killedBySignal`.
    public let status: Int32
    public let killedBySignal: Bool
    public let stdout: Data
    public let stderr: Data

    public init(arguments: [String], status: Int32, killedBySignal: Bool = false, stdout: Data, stderr: Data) {
        self.arguments = arguments
        self.status = status
        self.killedBySignal = killedBySignal
        self.stdout = stdout
        self.stderr = stderr
    }

    public var succeeded: Bool { status == 0 && !killedBySignal }
    public var output: String { String(decoding: stdout, as: UTF8.self) }
    public var errorOutput: String { String(decoding: stderr, as: UTF8.self) }

    /// stdout decoded as JSON, for the `--json` outputs.
    public func json<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: stdout)
        } catch {
            throw NapsyncProcessError.unreadableOutput(self, expected: "\(T.self)", reason: "\(error)")
        }
    }

    public var description: String {
        let ending = killedBySignal ? "was killed by signal \(status)" : "exited \(status)"
        return
            "`napsync \(arguments.joined(separator: " "))` \(ending)\n--- stdout\n\(output)--- stderr\n\(errorOutput)"
    }
}

/// Why a run of `napsync` could not give a usable result; each case carries the command line and what it printed.
public enum NapsyncProcessError: Error, CustomStringConvertible {
    case notFound(searched: [String])
    case launchFailed(executable: String, arguments: [String], reason: String)
    case timedOut(arguments: [String], after: Duration, partial: NapsyncResult)
    case failed(NapsyncResult)
    case unreadableOutput(NapsyncResult, expected: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let searched):
            "no napsync executable in \(searched.joined(separator: ", ")); build it with `swift build` or set "
                + "\(NapsyncProcess.executableVariable)"
        case .launchFailed(let executable, let arguments, let reason):
            "cannot start \(executable) \(arguments.joined(separator: " ")): \(reason)"
        case .timedOut(let arguments, let after, let partial):
            "`napsync \(arguments.joined(separator: " "))` still running after \(after); killed it\n\(partial)"
        case .failed(let result):
            "expected success: \(result)"
        case .unreadableOutput(let result, let expected, let reason):
            "stdout is not \(expected): \(reason)\n\(result)"
        }
    }
}

/// Files that take a child's stdout and stderr: unlike pipes, they never fill up and block the child.
private struct OutputCapture {
    let directory: URL
    let stdout: FileHandle
    let stderr: FileHandle

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("napsync-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        stdout = try Self.handle(directory.appendingPathComponent("stdout"))
        stderr = try Self.handle(directory.appendingPathComponent("stderr"))
    }

    static func handle(_ url: URL) throws -> FileHandle {
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
        }
        return try FileHandle(forWritingTo: url)
    }

    func readStdout() throws -> Data { try Data(contentsOf: directory.appendingPathComponent("stdout")) }
    func readStderr() throws -> Data { try Data(contentsOf: directory.appendingPathComponent("stderr")) }

    func remove() {
        try? stdout.close()
        try? stderr.close()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Hands the exit status from Foundation's termination handler to the awaiting task, whichever comes first.
private final class ExitWaiter: @unchecked Sendable {
    private let lock = NSLock()
    typealias Exit = (status: Int32, signaled: Bool)
    private var exitStatus: Exit?
    private var waiter: CheckedContinuation<Exit, Never>?
    private var killed = false

    /// Records the exit; only the first report counts (the handler and the watchdog may both report it).
    func finish(_ status: Int32, signaled: Bool) {
        lock.lock()
        guard exitStatus == nil else {
            lock.unlock()
            return
        }
        exitStatus = (status, signaled)
        let waiting = waiter
        waiter = nil
        lock.unlock()
        waiting?.resume(returning: (status, signaled))
    }

    func status() async -> Exit {
        await withCheckedContinuation { continuation in
            lock.lock()
            if let exitStatus {
                lock.unlock()
                continuation.resume(returning: exitStatus)
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }

    /// Records that the deadline passed, unless the process already exited; returns whether to kill it.
    func markTimedOutIfRunning() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard exitStatus == nil else { return false }
        killed = true
        return true
    }

    var timedOut: Bool {
        lock.lock()
        defer { lock.unlock() }
        return killed
    }
}

extension Duration {
    fileprivate var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
