import Foundation
import Testing

/// Runs a program and returns its exit status and combined output.
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> (
    status: Int32, output: String
) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// The napsync executable `swift build` made, next to the test bundle.
let napsyncBinary: URL? = {
    let candidates = [
        Bundle.main.bundleURL.appendingPathComponent("napsync"),
        Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("napsync"),
        packageRoot.appendingPathComponent(".build/debug/napsync"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
}()

let systemdAnalyze: String? = ["/usr/bin/systemd-analyze", "/bin/systemd-analyze"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

let systemdSysusers: String? = ["/usr/bin/systemd-sysusers", "/bin/systemd-sysusers"].first {
    FileManager.default.isExecutableFile(atPath: $0)
}

@Suite("systemd units in deploy/")
struct DeployTests {
    /// A root directory holding systemd's own units, the staged binary and our units, for `--root`.
    func stageRoot() throws -> URL {
        let root = try makeTemporaryDirectory()
        let fileManager = FileManager.default
        try fileManager.createDirectory(
            at: root.appendingPathComponent("lib/systemd"), withIntermediateDirectories: true)
        try fileManager.copyItem(
            atPath: "/lib/systemd/system", toPath: root.appendingPathComponent("lib/systemd/system").path)
        let bin = root.appendingPathComponent("usr/local/bin")
        try fileManager.createDirectory(at: bin, withIntermediateDirectories: true)
        let binary = try #require(napsyncBinary, "build the napsync executable first (swift build)")
        try fileManager.copyItem(at: binary, to: bin.appendingPathComponent("napsync"))
        let units = root.appendingPathComponent("etc/systemd/system")
        try fileManager.createDirectory(at: units, withIntermediateDirectories: true)
        for unit in ["napsync.service", "napsync@.service"] {
            try fileManager.copyItem(
                at: packageRoot.appendingPathComponent("deploy/\(unit)"), to: units.appendingPathComponent(unit))
        }
        return root
    }

    @Test("systemd-analyze verify accepts both units without a word", .enabled(if: systemdAnalyze != nil))
    func verify() throws {
        let root = try stageRoot()
        defer { try? FileManager.default.removeItem(at: root) }
        for unit in ["napsync.service", "napsync@defence.service"] {
            let (status, output) = try run(systemdAnalyze!, ["verify", "--root=\(root.path)", unit])
            // verify exits 0 on unknown keys and bad values and only prints them: any output is a failure.
            #expect(status == 0, "\(unit): \(output)")
            #expect(output.isEmpty, "\(unit): \(output)")
        }
    }

    @Test("the sandbox scores OK or better", .enabled(if: systemdAnalyze != nil))
    func security() throws {
        for unit in ["napsync.service", "napsync@.service"] {
            let path = packageRoot.appendingPathComponent("deploy/\(unit)").path
            let (_, output) = try run(systemdAnalyze!, ["security", "--offline=yes", path])
            let line = try #require(output.split(separator: "\n").last { $0.contains("Overall exposure level") })
            let score = line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }
            #expect((score ?? 10) <= 2.0, "\(unit): \(line)")
        }
    }

    @Test("both units are Type=notify with a watchdog, the napsync user, state and configuration directories")
    func unitKeys() throws {
        for unit in ["napsync.service", "napsync@.service"] {
            let text = try String(contentsOf: packageRoot.appendingPathComponent("deploy/\(unit)"), encoding: .utf8)
            for line in [
                "Type=notify", "Restart=on-failure", "User=napsync\n", "Group=napsync\n", "ProtectSystem=strict", "ProtectHome=yes",
                "NoNewPrivileges=yes", "PrivateTmp=yes", "TimeoutStopSec=30s", "WatchdogSec=",
                "RestartPreventExitStatus=78",
            ] {
                #expect(text.contains(line), "\(unit) lacks \(line)")
            }
            #expect(text.contains("StateDirectory=napsync"))
            #expect(text.contains("ConfigurationDirectory=napsync"))
        }
    }

    /// The units' user comes from `deploy/napsync.sysusers.conf`: a system user whose home is the state
    /// directory, so that `sudo -u napsync napsync ...` finds the service's replica.
    @Test("systemd-sysusers creates the units' user from deploy/", .enabled(if: systemdSysusers != nil))
    func sysusers() throws {
        let root = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("usr/lib/sysusers.d")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: packageRoot.appendingPathComponent("deploy/napsync.sysusers.conf"), to: directory.appendingPathComponent("napsync.conf"))
        let (status, output) = try run(systemdSysusers!, ["--root=\(root.path)"])
        #expect(status == 0, "\(output)")
        let passwd = try String(contentsOf: root.appendingPathComponent("etc/passwd"), encoding: .utf8)
        let entry = try #require(passwd.split(separator: "\n").first { $0.hasPrefix("napsync:") }, "\(passwd)")
        let fields = entry.split(separator: ":", omittingEmptySubsequences: false)
        #expect(fields.count == 7 && fields[5] == "/var/lib/napsync", "\(entry)")
        #expect(fields.count == 7 && fields[6].hasSuffix("nologin"), "\(entry)")
        let group = try String(contentsOf: root.appendingPathComponent("etc/group"), encoding: .utf8)
        #expect(group.split(separator: "\n").contains { $0.hasPrefix("napsync:") }, "\(group)")
    }
}
