import Foundation
import Logging
import Testing

@testable import SyncServer

@Suite("Configuration: defaults, file, environment, flags")
struct ConfigurationTests {
    @Test("with nothing configured: loopback, port 7325, no peers, data dir from STATE_DIRECTORY or XDG")
    func defaults() async throws {
        let home = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: home) }
        let plain = try await NapsyncConfiguration.load(environment: ["HOME": home.path])
        #expect(plain.host == "127.0.0.1")
        #expect(plain.port == 7325)
        #expect(plain.peers.isEmpty)
        #expect(plain.configFile == nil)
        #expect(plain.dataDirectory.path == home.appendingPathComponent(".local/share/napsync").path)
        #expect(plain.syncInterval == .seconds(60))

        let service = try await NapsyncConfiguration.load(
            environment: ["HOME": home.path, "STATE_DIRECTORY": "/var/lib/napsync"])
        #expect(service.dataDirectory.path == "/var/lib/napsync")
    }

    @Test("flags beat environment, which beats the file, which beats the defaults")
    func precedence() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("napsync.yaml")
        try """
        data-dir: /srv/napsync
        listen:
          host: 0.0.0.0
          port: 9000
        peers:
          - http://a.example.be:7325
          - http://b.example.be:7325
        sync:
          interval: 5m
          chunk-size: 250
          request-timeout: 10s
        backoff:
          min: 2s
          max: 10m
        log:
          level: debug
        """.write(to: file, atomically: true, encoding: .utf8)

        let fromFile = try await NapsyncConfiguration.load(configFile: file.path, environment: [:])
        #expect(fromFile.dataDirectory.path == "/srv/napsync")
        #expect(fromFile.host == "0.0.0.0")
        #expect(fromFile.port == 9000)
        #expect(fromFile.peers == ["http://a.example.be:7325", "http://b.example.be:7325"])
        #expect(fromFile.syncInterval == .seconds(300))
        #expect(fromFile.chunkSize == 250)
        #expect(fromFile.requestTimeout == .seconds(10))
        #expect(fromFile.backoffMinimum == .seconds(2))
        #expect(fromFile.backoffMaximum == .seconds(600))
        #expect(fromFile.logLevel == .debug)
        #expect(fromFile.localURL == "http://127.0.0.1:9000")

        let environment = [
            "NAPSYNC_CONFIG": file.path, "NAPSYNC_LISTEN_PORT": "9100",
            "NAPSYNC_PEERS": "http://c.example.be:1,http://d.example.be:2",
            "NAPSYNC_SYNC_CHUNK_SIZE": "99", "NAPSYNC_DATA_DIR": "/env/dir", "NAPSYNC_BACKOFF_MAX": "30s",
        ]
        let fromEnvironment = try await NapsyncConfiguration.load(environment: environment)
        #expect(fromEnvironment.configFile == file.path)
        #expect(fromEnvironment.port == 9100)
        #expect(fromEnvironment.peers == ["http://c.example.be:1", "http://d.example.be:2"])
        #expect(fromEnvironment.chunkSize == 99)
        #expect(fromEnvironment.dataDirectory.path == "/env/dir")
        #expect(fromEnvironment.backoffMaximum == .seconds(30))
        #expect(fromEnvironment.host == "0.0.0.0")  // still from the file

        let fromFlags = try await NapsyncConfiguration.load(
            overrides: [.port: "9200", .peers: "http://e.example.be:3", .dataDirectory: "/flag/dir"],
            environment: environment)
        #expect(fromFlags.port == 9200)
        #expect(fromFlags.peers == ["http://e.example.be:3"])
        #expect(fromFlags.dataDirectory.path == "/flag/dir")
        #expect(fromFlags.chunkSize == 99)
    }

    @Test("every key's environment variable is NAPSYNC_ plus the key", arguments: NapsyncConfiguration.Key.allCases)
    func environmentNames(key: NapsyncConfiguration.Key) async throws {
        let value: String
        switch key {
        case .dataDirectory: value = "/x"
        case .host: value = "10.0.0.1"
        case .port, .chunkSize: value = "1234"
        case .maxBodyBytes: value = "65536"
        case .peers: value = "http://p.example.be:1"
        case .syncInterval, .requestTimeout, .backoffMinimum, .backoffMaximum: value = "7s"
        case .logLevel: value = "error"
        case .tlsCertificate, .tlsKey, .tlsCA: value = "/etc/passwd"  // any readable file passes validation
        }
        var environment = [key.environmentVariable: value, "HOME": "/nonexistent"]
        // A certificate needs its key, and a key its certificate.
        if key == .tlsCertificate { environment[NapsyncConfiguration.Key.tlsKey.environmentVariable] = value }
        if key == .tlsKey { environment[NapsyncConfiguration.Key.tlsCertificate.environmentVariable] = value }
        let loaded = try await NapsyncConfiguration.load(environment: environment)
        let defaults = try await NapsyncConfiguration.load(environment: ["HOME": "/nonexistent"])
        #expect(loaded != defaults, "\(key.environmentVariable) had no effect")
    }

    @Test("mistakes are refused with the key and what it should be")
    func errors() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("napsync.yaml")
        try "listen:\n  prot: 9000\npeer: http://x\n".write(to: file, atomically: true, encoding: .utf8)
        await #expect(throws: ConfigurationError.unknownKeys(path: file.path, keys: ["listen.prot", "peer"])) {
            _ = try await NapsyncConfiguration.load(configFile: file.path, environment: [:])
        }
        await #expect(throws: ConfigurationError.self) {
            _ = try await NapsyncConfiguration.load(configFile: "/nonexistent/napsync.yaml", environment: [:])
        }
        do {
            _ = try await NapsyncConfiguration.load(overrides: [.syncInterval: "soon"], environment: [:])
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("sync.interval"))
            #expect("\(error)".contains("30s"))
        }
        await #expect(throws: ConfigurationError.self) {
            _ = try await NapsyncConfiguration.load(overrides: [.peers: "ftp://x"], environment: [:])
        }
        await #expect(throws: ConfigurationError.self) {
            _ = try await NapsyncConfiguration.load(
                overrides: [.backoffMinimum: "10s", .backoffMaximum: "1s"], environment: [:])
        }
        do {
            _ = try await NapsyncConfiguration.load(overrides: [.tlsCertificate: "/etc/passwd"], environment: [:])
            Issue.record("expected an error: a certificate without its key")
        } catch {
            #expect("\(error)".contains("tls.key"))
        }
        do {
            _ = try await NapsyncConfiguration.load(overrides: [.tlsCA: "/nonexistent/ca.pem"], environment: [:])
            Issue.record("expected an error: an unreadable CA bundle")
        } catch {
            #expect("\(error)".contains("tls.ca"))
        }
    }

    @Test("the shipped example file loads and holds every key")
    func exampleFile() async throws {
        let example = packageRoot.appendingPathComponent("deploy/napsync.example.yaml")
        let text = try String(contentsOf: example, encoding: .utf8)
        for key in NapsyncConfiguration.Key.allCases {
            let leaf = key.fileKey.split(separator: ".").last!
            #expect(text.contains("\(leaf):"), "deploy/napsync.example.yaml lacks \(key.fileKey)")
            let docs = try String(
                contentsOf: packageRoot.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
            #expect(docs.contains("`\(key.fileKey)`"), "docs/configuration.md lacks \(key.fileKey)")
            #expect(docs.contains(key.environmentVariable), "docs/configuration.md lacks \(key.environmentVariable)")
        }
        let loaded = try await NapsyncConfiguration.load(configFile: example.path, environment: [:])
        #expect(loaded.port == 7325)
    }

    @Test(
        "durations read as napsync writes them",
        arguments: [
            ("90", Duration.seconds(90)), ("90s", .seconds(90)), ("1500ms", .milliseconds(1500)), ("5m", .seconds(300)),
            ("2h", .seconds(7200)), ("0.5s", .milliseconds(500)),
        ])
    func durations(text: String, expected: Duration) {
        #expect(parseDuration(text) == expected)
    }

    @Test("a duration that is not a number of at most a year is refused, not a crash")
    func unreadableDurations() {
        for text in ["inf", "1e300", "1e10", "nan", "-1s", "2h30", "366d", "8761h"] {
            #expect(parseDuration(text) == nil, "\(text)")
        }
        #expect(parseDuration("8760h") == longestDuration)
    }
}

/// The package's root directory, from this file's path.
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
