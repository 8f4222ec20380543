#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Logging
import SyncCore
import TestSupport
import Synchronization
import Testing

/// A `napsync serve` child process, its stderr in a file.
final class DaemonProcess: @unchecked Sendable {
    let name: String
    let dataDirectory: URL
    let logFile: URL
    let process = Process()

    init(name: String, dataDirectory: URL, arguments: [String], environment: [String: String] = [:]) throws {
        self.name = name
        self.dataDirectory = dataDirectory
        logFile = dataDirectory.deletingLastPathComponent().appendingPathComponent(
            "\(name)-\(UUID().uuidString.prefix(4)).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        process.executableURL = napsyncBinary
        process.arguments = ["serve", "--data-dir", dataDirectory.path, "--host", "127.0.0.1"] + arguments
        var env = ProcessInfo.processInfo.environment.filter {
            !$0.key.hasPrefix("NAPSYNC_") && $0.key != "NOTIFY_SOCKET"
        }
        env["HOME"] = dataDirectory.path  // no user configuration file
        env.merge(environment) { _, new in new }
        process.environment = env
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: logFile)
        try process.run()
    }

    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// The port from the `serving napsync.listen=127.0.0.1:PORT` line.
    func port(timeout: Duration = .seconds(20)) async throws -> Int {
        try await waitFor("\(name) to listen", timeout: timeout) {
            guard let range = self.log.range(of: "napsync.listen=127.0.0.1:") else { return nil }
            return Int(self.log[range.upperBound...].prefix { $0.isNumber })
        }
    }

    func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to exit; returns its status.
    func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        try await waitFor("\(name) to exit", timeout: timeout) {
            self.process.isRunning ? nil : self.process.terminationStatus
        }
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// Polls `check` every `interval` until it returns a value.
func waitFor<T>(
    _ what: String, timeout: Duration, every interval: Duration = .milliseconds(50), _ check: () throws -> T?
) async throws -> T {
    let start = ContinuousClock.now
    while ContinuousClock.now - start < timeout {
        if let value = try check() { return value }
        try await Task.sleep(for: interval)
    }
    throw TimeoutError(what: what)
}

/// Runs a napsync command to its end without blocking a thread of the cooperative pool, which every test running
/// alongside in this process needs; throws with what the command printed when it fails.
func napsync(_ arguments: [String]) async throws -> String {
    try await NapsyncProcess(executable: napsyncBinary!, timeout: .seconds(60)).succeed(arguments).output
}

func digest(of directory: URL) throws -> String? {
    let (status, output) = try run(napsyncBinary!.path, ["status", "--json", "--data-dir", directory.path])
    guard status == 0, let data = output.data(using: .utf8),
        let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
    else { return nil }
    return json["digest"] as? String
}

/// Creates the coordinator and department nodes and admits every department into the coordinator's network
/// (`network create`, `join request`, `admit`, `join install`), as an operator would before starting daemons.
func makeNetwork(root: URL, coordinator: URL, departments: [String: URL]) async throws {
    _ = try await napsync(["init", "--data-dir", coordinator.path, "--coordinator"])
    _ = try await napsync(["network", "create", "--data-dir", coordinator.path])
    for (department, directory) in departments.sorted(by: { $0.key < $1.key }) {
        _ = try await napsync(["init", "--data-dir", directory.path, "--department", department])
        let request = root.appendingPathComponent("\(department).request").path
        let admission = root.appendingPathComponent("\(department).admission").path
        _ = try await napsync(["join", "request", "--data-dir", directory.path, "--out", request])
        _ = try await napsync(["admit", request, "--data-dir", coordinator.path, "--out", admission])
        _ = try await napsync(["join", "install", admission, "--data-dir", directory.path])
    }
}

/// A port that was free a moment ago.
/// A port bound on 127.0.0.1 and never listened on, held until `close()`: a connection to it is refused at once,
/// and no server started by a test running alongside can take it meanwhile (as it could a port from `freePort`).
final class RefusingPort {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        guard bound == 0, port != 0 else {
            let code = POSIXErrorCode(rawValue: errno) ?? .EADDRNOTAVAIL
            Glibc.close(fd)
            throw POSIXError(code)
        }
        self.descriptor = fd
        self.port = port
    }

    func close() { Glibc.close(descriptor) }
}

/// A port free at the time of the call (bound, then released), for a server a test starts.
func freePort() throws -> Int {
    let reserved = try RefusingPort()
    defer { reserved.close() }
    return reserved.port
}

@Suite("napsync serve as separate processes", .serialized, .enabled(if: napsyncBinary != nil))
struct DaemonProcessTests {
    static let fastSync = ["--sync-interval", "300ms", "--backoff-min", "100ms", "--backoff-max", "500ms"]

    @Test("three departments record while the coordinator is down; once it is up, all four reach the same digest")
    func offlineThenConverge() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let departments = ["defence", "interior", "justice"]
        let coordinatorDir = root.appendingPathComponent("coordinator")
        try await makeNetwork(
            root: root, coordinator: coordinatorDir,
            departments: Dictionary(uniqueKeysWithValues: departments.map { ($0, root.appendingPathComponent($0)) }))
        let coordinatorPort = try freePort()
        let coordinatorURL = "http://127.0.0.1:\(coordinatorPort)"

        // Given three department daemons whose only peer, the coordinator, is down
        var daemons: [DaemonProcess] = []
        for department in departments {
            daemons.append(
                try DaemonProcess(
                    name: department, dataDirectory: root.appendingPathComponent(department),
                    arguments: ["--port", "0", "--peer", coordinatorURL] + Self.fastSync))
        }
        for daemon in daemons { _ = try await daemon.port() }
        // ... which record while the coordinator is down
        for department in departments {
            for year in 2013...2015 {
                _ = try await napsync([
                    "record", "entry", "--data-dir", root.appendingPathComponent(department).path, "--line", "1.a",
                    "--year", "\(year)", "--status", "ongoing", "--narrative", "\(department) \(year)",
                ])
            }
        }
        for daemon in daemons {
            _ = try await waitFor("\(daemon.name) to notice the coordinator is down", timeout: .seconds(60)) {
                daemon.log.contains("peer unreachable") ? true : nil
            }
        }

        // When the coordinator comes up
        let coordinator = try DaemonProcess(
            name: "coordinator", dataDirectory: coordinatorDir,
            arguments: ["--port", "\(coordinatorPort)"] + Self.fastSync)
        _ = try await coordinator.port()

        // Then all four converge on one digest
        let all = [coordinatorDir] + departments.map { root.appendingPathComponent($0) }
        _ = try await waitFor("the four nodes to converge", timeout: .seconds(60)) { () -> String? in
            let digests = try all.map(digest(of:))
            return Set(digests).count == 1 ? digests[0] : nil
        }
        // ... which holds what every department recorded while the coordinator was down
        let export = try await napsync(["export", "--data-dir", coordinatorDir.path])
        for department in departments {
            for year in 2013...2015 { #expect(export.contains("\(department) \(year)"), "\(department) \(year) in the export") }
        }
        for daemon in daemons {
            #expect(daemon.log.contains("peer reachable again"), "\(daemon.name): \(daemon.log)")
            // state changes are logged, not every failed retry
            #expect(
                daemon.log.components(separatedBy: ": peer unreachable").count - 1 == 1, "\(daemon.name): \(daemon.log)"
            )
        }
        let coordinatorStatus = try await napsync(["status", "--json", "--data-dir", coordinatorDir.path])
        #expect(coordinatorStatus.contains("\"records\" : 9"), "\(coordinatorStatus)")

        // And SIGTERM stops every daemon gracefully
        for daemon in daemons + [coordinator] { daemon.signal(SIGTERM) }
        for daemon in daemons + [coordinator] {
            let status = try await daemon.waitForExit()
            #expect(status == 0, "\(daemon.name) exited \(status): \(daemon.log)")
            #expect(daemon.log.contains("napsync: stopped"))
        }
    }

    @Test("a daemon killed with SIGKILL mid-sync restarts and converges")
    func killedMidSync() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let coordinatorDir = root.appendingPathComponent("coordinator")
        let defenceDir = root.appendingPathComponent("defence")
        let lateDir = root.appendingPathComponent("interior")
        try await makeNetwork(
            root: root, coordinator: coordinatorDir, departments: ["defence": defenceDir, "interior": lateDir])
        // Given a backlog of 42 changes on the coordinator, from defence
        for line in ["1.a", "3.d", "5.a", "5.b", "6.a", "6.b", "10.a"] {
            for year in 2013...2015 {
                for status in ["ongoing", "done"] {
                    _ = try await napsync([
                        "record", "entry", "--data-dir", defenceDir.path, "--line", line, "--year", "\(year)",
                        "--status", status,
                    ])
                }
            }
        }
        let coordinator = try DaemonProcess(
            name: "coordinator", dataDirectory: coordinatorDir, arguments: ["--port", "0"])
        let port = try await coordinator.port()
        let coordinatorURL = "http://127.0.0.1:\(port)"
        _ = try await napsync(["sync", "--direct", "--data-dir", defenceDir.path, "--peer", coordinatorURL])
        let target = try #require(try digest(of: coordinatorDir))

        // When a new node pulls it one change per chunk and is killed after a few chunks
        let arguments =
            ["--port", "0", "--peer", coordinatorURL, "--chunk-size", "1", "--log-level", "debug"] + Self.fastSync
        let late = try DaemonProcess(name: "interior", dataDirectory: lateDir, arguments: arguments)
        _ = try await waitFor("the first chunks to arrive", timeout: .seconds(30), every: .milliseconds(2)) {
            late.log.contains("applied pulled change set") ? true : nil
        }
        late.signal(SIGKILL)
        let killed = try await late.waitForExit()
        #expect(killed == SIGKILL || killed != 0)
        let partial = try digest(of: lateDir)
        #expect(partial != target, "the kill came too late to be mid-sync")

        // And when it is restarted and killed again at random moments, several times,
        var random = SplitMix64(seed: 1325)
        var held = try Replica.open(at: lateDir, logger: Logger.silent).clock().count
        for trial in 0..<4 {
            let again = try DaemonProcess(name: "interior-\(trial)", dataDirectory: lateDir, arguments: arguments)
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...300, using: &random)))
            again.signal(SIGKILL)
            _ = try await again.waitForExit()
            // the replica stays intact and never loses what it had applied.
            let replica = try Replica.open(at: lateDir, logger: Logger.silent)
            #expect(try replica.integrityProblems().isEmpty, "trial \(trial)")
            let now = try replica.clock().count
            #expect(now >= held, "trial \(trial): applied changes were lost")
            held = now
        }

        // Then a restarted daemon opens the replica and converges
        let restarted = try DaemonProcess(name: "interior-restarted", dataDirectory: lateDir, arguments: arguments)
        let converged = try await waitFor("the restarted node to converge", timeout: .seconds(60)) {
            try digest(of: lateDir) == target ? true : nil
        }
        #expect(converged)
        restarted.signal(SIGTERM)
        #expect(try await restarted.waitForExit() == 0)
        coordinator.signal(SIGTERM)
        #expect(try await coordinator.waitForExit() == 0)
    }

    @Test("the real binary serves HTTPS with --tls-certificate and --tls-key; sync trusts it through tls.ca only")
    func tls() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let coordinatorDir = root.appendingPathComponent("coordinator")
        let defenceDir = root.appendingPathComponent("defence")
        try await makeNetwork(root: root, coordinator: coordinatorDir, departments: ["defence": defenceDir])
        _ = try await napsync([
            "record", "entry", "--data-dir", defenceDir.path, "--line", "1.a", "--year", "2014", "--status", "done",
        ])
        let (certificate, key) = try await makeSelfSignedCertificate(in: root)
        let coordinator = try DaemonProcess(
            name: "coordinator", dataDirectory: coordinatorDir,
            arguments: ["--port", "0", "--tls-certificate", certificate, "--tls-key", key])
        let url = "https://127.0.0.1:\(try await coordinator.port())"
        #expect(coordinator.log.contains("napsync.tls=on"), "\(coordinator.log)")
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("NAPSYNC_") }
        environment["HOME"] = root.path

        // A client that trusts only the system's CAs refuses the self-signed certificate, and says what to set
        let sync = ["sync", "--direct", "--data-dir", defenceDir.path, "--peer", url]
        let (refused, refusal) = try run(napsyncBinary!.path, sync, environment: environment)
        #expect(refused != 0)
        #expect(refusal.contains("tls.ca"), "\(refusal)")

        // With the certificate in tls.ca, the department syncs with the coordinator over TLS
        environment["NAPSYNC_TLS_CA"] = certificate
        let (status, output) = try run(napsyncBinary!.path, sync, environment: environment)
        #expect(status == 0, "\(output)")
        #expect(try digest(of: defenceDir) == digest(of: coordinatorDir))

        // `napsync sync` reaches its own TLS daemon on loopback (the daemon has no peers: no session, exit 0)
        environment["NAPSYNC_TLS_CA"] = nil
        environment["NAPSYNC_TLS_CERTIFICATE"] = certificate
        environment["NAPSYNC_TLS_KEY"] = key
        let (local, localOutput) = try run(
            napsyncBinary!.path, ["sync", "--data-dir", coordinatorDir.path, "--daemon", url], environment: environment)
        #expect(local == 0, "\(localOutput)")

        coordinator.signal(SIGTERM)
        #expect(try await coordinator.waitForExit() == 0)
    }

    @Test(
        "the real binary notifies READY=1, then STOPPING=1 on SIGTERM; with no replica it exits 78 and says to run init"
    )
    func notifyAndMissingReplica() async throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let socket = try NotifySocket(abstract: true)
        let daemon = try DaemonProcess(
            name: "fresh", dataDirectory: root.appendingPathComponent("fresh"), arguments: ["--port", "0"],
            environment: ["NOTIFY_SOCKET": socket.address, "NAPSYNC_DEPARTMENT": "defence", "JOURNAL_STREAM": "8:1234"])
        let ready = socket.receive { $0.contains { $0.hasPrefix("READY=1") } }
        #expect(ready.contains { $0.hasPrefix("READY=1") })
        daemon.signal(SIGTERM)
        let stopping = socket.receive { $0.contains { $0.hasPrefix("STOPPING=1") } }
        #expect(stopping.contains { $0.hasPrefix("STOPPING=1") })
        #expect(try await daemon.waitForExit() == 0)
        // Under journald: <N> priorities, no timestamps, no colour codes
        #expect(daemon.log.contains("<5>napsync: serving "), "\(daemon.log)")
        #expect(!daemon.log.contains("\u{1B}["))

        let empty = try DaemonProcess(
            name: "empty", dataDirectory: root.appendingPathComponent("empty"), arguments: ["--port", "0"])
        #expect(try await empty.waitForExit() == 78)
        #expect(empty.log.contains("napsync init"), "\(empty.log)")
    }
}
