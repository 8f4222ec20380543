#if canImport(Glibc)
    import Glibc
#endif
import Foundation
import Logging
import SyncCore
import Testing

@testable import SyncServer

/// A unix datagram socket the test binds, standing in for systemd's notify socket.
final class NotifySocket: @unchecked Sendable {
    let fd: Int32
    let address: String

    /// - Parameter abstract: bind in the abstract namespace (`@name`) instead of the filesystem.
    init(abstract: Bool) throws {
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let name =
            abstract
            ? "@napsync-test-\(UUID().uuidString.prefix(8))"
            : FileManager.default.temporaryDirectory.appendingPathComponent(
                "notify-\(UUID().uuidString.prefix(8)).sock"
            ).path
        address = name
        var bytes = Array(name.utf8)
        if abstract { bytes[0] = 0 }
        withUnsafeMutableBytes(of: &addr.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(
            MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)! + bytes.count + (abstract ? 0 : 1))
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard result == 0 else { throw TimeoutError(what: "bind failed: \(errno)") }
        var timeout = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit {
        close(fd)
        if !address.hasPrefix("@") { unlink(address) }
    }

    /// Every datagram received within `timeout`, until `until` matches one of them.
    func receive(until done: ([String]) -> Bool, timeout: Duration = .seconds(10)) -> [String] {
        var messages: [String] = []
        let start = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 4096)
        while ContinuousClock.now - start < timeout, !done(messages) {
            let count = recv(fd, &buffer, buffer.count, 0)
            if count > 0 { messages.append(String(decoding: buffer[0..<count], as: UTF8.self)) }
        }
        return messages
    }
}

@Suite("systemd notification and journald-friendly logs")
struct SystemdNotifierTests {
    @Test("sd_notify reaches a filesystem socket and an abstract @socket", arguments: [false, true])
    func notify(abstract: Bool) throws {
        let socket = try NotifySocket(abstract: abstract)
        let notifier = SystemdNotifier(environment: ["NOTIFY_SOCKET": socket.address])
        #expect(notifier.isEnabled)
        #expect(notifier.notify("READY=1\nSTATUS=test") == nil)
        let messages = socket.receive { !$0.isEmpty }
        #expect(messages == ["READY=1\nSTATUS=test"])
    }

    @Test("without NOTIFY_SOCKET nothing is sent; WATCHDOG_USEC is read, and ignored when meant for another pid")
    func environment() {
        #expect(SystemdNotifier(environment: [:]).notify("READY=1") == nil)
        #expect(!SystemdNotifier(environment: [:]).isEnabled)
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "4000000"]).watchdogInterval == .seconds(4))
        #expect(SystemdNotifier(environment: ["WATCHDOG_USEC": "18446744073709551615"]).watchdogInterval == nil)
        #expect(
            SystemdNotifier(environment: ["WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "1"]).watchdogInterval == nil)
        #expect(
            SystemdNotifier(environment: ["WATCHDOG_USEC": "4000000", "WATCHDOG_PID": "\(getpid())"]).watchdogInterval
                == .seconds(4))
    }

    @Test("the daemon sends READY=1 once it serves, WATCHDOG=1 pings, and STOPPING=1 on shutdown")
    func daemonLifecycle() async throws {
        let socket = try NotifySocket(abstract: false)
        let environment = ["NOTIFY_SOCKET": socket.address, "WATCHDOG_USEC": "200000"]
        try await withTestNode(exchange: FakeExchange(), environment: environment) { url, _ in
            let messages = socket.receive {
                $0.contains(where: { $0.hasPrefix("READY=1") }) && $0.filter { $0 == "WATCHDOG=1" }.count >= 2
            }
            #expect(messages.contains { $0.hasPrefix("READY=1") && $0.contains("STATUS=serving on 127.0.0.1:") })
            #expect(messages.filter { $0 == "WATCHDOG=1" }.count >= 2)
        }
        let after = socket.receive(until: { $0.contains { $0.hasPrefix("STOPPING=1") } }, timeout: .seconds(30))
        #expect(after.contains { $0.hasPrefix("STOPPING=1") })
    }

    @Test("log lines: one per event, <N> priority under journald, sorted key=value metadata, no colours")
    func journalFormat() {
        let handler = JournalLogHandler(label: "napsync", journal: true) { _ in }
        let line = handler.format(
            level: .warning, message: "peer unreachable\nsecond line",
            metadata: ["napsync.peer": "http://a:1", "error": "connection refused", "napsync.failures": "1"])
        #expect(
            line
                == "<4>napsync: peer unreachable | second line error=\"connection refused\" napsync.failures=1 napsync.peer=http://a:1\n"
        )
        #expect(!line.contains("\u{1B}"))

        let plain = JournalLogHandler(label: "napsync", journal: false) { _ in }
        let text = plain.format(level: .info, message: "serving", metadata: ["napsync.listen": "127.0.0.1:7325"])
        #expect(text.hasSuffix(" INFO napsync: serving napsync.listen=127.0.0.1:7325\n"))
        #expect(text.first?.isNumber == true)
    }
}
