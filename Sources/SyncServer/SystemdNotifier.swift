#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif
import Foundation

/// Sends sd_notify(3) messages (`READY=1`, `STOPPING=1`, `WATCHDOG=1`, `STATUS=...`) to the unix datagram socket
/// systemd names in `$NOTIFY_SOCKET`: a filesystem path, or an abstract socket when it starts with `@`.
///
/// Without `NOTIFY_SOCKET` (not run by systemd with `Type=notify`) every call does nothing.
public struct SystemdNotifier: Sendable {
    /// The socket address from `NOTIFY_SOCKET`, if any.
    public let socketPath: String?
    /// Watchdog interval from `WATCHDOG_USEC`, when it is set and meant for this process (`WATCHDOG_PID`).
    public let watchdogInterval: Duration?

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        let path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        self.socketPath = path
        // As an Int64: a value past it is no interval a watchdog could mean, and is ignored rather than trapping.
        if let usec = environment["WATCHDOG_USEC"].flatMap(Int64.init), usec > 0,
            environment["WATCHDOG_PID"].flatMap(Int32.init).map({ $0 == getpid() }) ?? true
        {
            self.watchdogInterval = .microseconds(usec)
        } else {
            self.watchdogInterval = nil
        }
    }

    public var isEnabled: Bool { socketPath != nil }

    /// Sends `state` (newline-separated `KEY=value` assignments). Errors are returned, not thrown: notification is
    /// best effort and must never stop the daemon.
    @discardableResult
    public func notify(_ state: String) -> SystemdNotifyError? {
        guard let socketPath else { return nil }
        return Self.send(state, to: socketPath)
    }

    static func send(_ state: String, to path: String) -> SystemdNotifyError? {
        #if os(Linux)
            let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        #else
            let fd = socket(AF_UNIX, SOCK_DGRAM, 0)
        #endif
        guard fd >= 0 else { return .init(operation: "socket", errno: errno) }
        defer { close(fd) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var pathBytes = Array(path.utf8)
        let abstract = pathBytes.first == UInt8(ascii: "@")
        if abstract { pathBytes[0] = 0 }  // abstract namespace: leading NUL, no terminator
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard pathBytes.count < capacity else { return .init(operation: "address too long", errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: pathBytes)
        }
        let pathOffset = MemoryLayout<sockaddr_un>.offset(of: \sockaddr_un.sun_path)!
        let length = socklen_t(pathOffset + pathBytes.count + (abstract ? 0 : 1))
        let bytes = Array(state.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bytes.withUnsafeBytes { buffer in
                    sendto(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length)
                }
            }
        }
        guard sent == bytes.count else { return .init(operation: "sendto", errno: errno) }
        return nil
    }
}

public struct SystemdNotifyError: Error, Sendable, CustomStringConvertible {
    public var operation: String
    public var errno: Int32

    public var description: String { "sd_notify \(operation) failed: \(String(cString: strerror(errno)))" }
}
