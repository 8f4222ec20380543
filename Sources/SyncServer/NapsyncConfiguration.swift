import Foundation
import Logging
import SyncCore

/// Everything `napsync serve` needs to run, with defaults that start a node on loopback with no peers.
///
/// Every key is documented in `deploy/napsync.example.yaml` and `docs/configuration.md`; the file key, the
/// environment variable and the flag for each are listed in ``NapsyncConfiguration/Key``.
public struct NapsyncConfiguration: Sendable, Equatable {
    /// Where the replica (`replica.sqlite`) and the per-peer state (`peers.json`) live.
    public var dataDirectory: URL
    public var host: String = "127.0.0.1"
    public var port: Int = 7325
    /// Base URLs of the peers to sync with, e.g. `http://fps-dg1.example.be:7325`.
    public var peers: [String] = []
    /// Time between two syncs with a reachable peer.
    public var syncInterval: Duration = .seconds(60)
    /// Wait after the first failure with a peer; doubles with each further failure, up to `backoffMaximum`.
    public var backoffMinimum: Duration = .seconds(1)
    public var backoffMaximum: Duration = .seconds(300)
    /// Most changes in one change set (one HTTP request or response).
    public var chunkSize: Int = Replica.defaultChunkSize
    /// Largest change-set body this node accepts or reads, in bytes.
    public var maxBodyBytes: Int = 32 * 1024 * 1024
    /// Limit on one HTTP exchange with a peer, connection included.
    public var requestTimeout: Duration = .seconds(30)
    public var logLevel: Logger.Level = .info
    /// PEM file with the server's certificate chain; with `tlsKey`, the daemon serves HTTPS only.
    public var tlsCertificate: String?
    /// PEM file with the server's private key.
    public var tlsKey: String?
    /// PEM bundle of the CA certificates trusted for peers' server certificates (`https://` peers); nil trusts
    /// the system's CAs.
    public var tlsCA: String?
    /// The configuration file read, if any.
    public var configFile: String?

    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// The replica's database file inside the data directory.
    public var replicaURL: URL { dataDirectory.appendingPathComponent("replica.sqlite") }

    /// Whether the daemon serves HTTPS (a certificate and key are configured).
    public var servesTLS: Bool { tlsCertificate != nil }

    /// The URL the local daemon answers on, for `napsync sync` and `napsync status`.
    public var localURL: String {
        let connectHost = (host == "0.0.0.0" || host == "::" || host.isEmpty) ? "127.0.0.1" : host
        let scheme = servesTLS ? "https" : "http"
        return connectHost.contains(":")
            ? "\(scheme)://[\(connectHost)]:\(port)" : "\(scheme)://\(connectHost):\(port)"
    }

    /// Checks values that parse but make no sense together.
    public func validate() throws(ConfigurationError) {
        guard (0...65535).contains(port) else {
            throw .invalid(key: Key.port.fileKey, value: String(port), expected: "a port number 0-65535")
        }
        guard chunkSize > 0 else {
            throw .invalid(key: Key.chunkSize.fileKey, value: String(chunkSize), expected: "at least 1")
        }
        guard maxBodyBytes >= 1024 else {
            throw .invalid(key: Key.maxBodyBytes.fileKey, value: String(maxBodyBytes), expected: "at least 1024")
        }
        guard backoffMinimum > .zero, backoffMaximum >= backoffMinimum else {
            throw .invalid(
                key: Key.backoffMaximum.fileKey, value: "\(backoffMaximum)",
                expected: "backoff.min > 0 and backoff.max >= backoff.min")
        }
        guard syncInterval > .zero else {
            throw .invalid(key: Key.syncInterval.fileKey, value: "\(syncInterval)", expected: "more than 0s")
        }
        guard (tlsCertificate == nil) == (tlsKey == nil) else {
            throw .invalid(
                key: tlsCertificate == nil ? Key.tlsCertificate.fileKey : Key.tlsKey.fileKey, value: "",
                expected: "both tls.certificate and tls.key, or neither")
        }
        for (key, path) in [(Key.tlsCertificate, tlsCertificate), (.tlsKey, tlsKey), (.tlsCA, tlsCA)] {
            guard let path else { continue }
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw .invalid(key: key.fileKey, value: path, expected: "a readable PEM file")
            }
        }
        for peer in peers {
            guard let url = URL(string: peer), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                throw .invalid(key: Key.peers.fileKey, value: peer, expected: "an http:// or https:// base URL")
            }
        }
    }
}

/// A configuration value that cannot be used. The message names the key and what it should be.
public enum ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalid(key: String, value: String, expected: String)
    case unreadableFile(path: String, reason: String)
    case unknownKeys(path: String, keys: [String])

    public var description: String {
        switch self {
        case .invalid(let key, let value, let expected):
            "configuration key '\(key)' has value '\(value)'; expected \(expected)"
        case .unreadableFile(let path, let reason):
            "cannot read configuration file \(path): \(reason)"
        case .unknownKeys(let path, let keys):
            "configuration file \(path) has unknown key(s) \(keys.joined(separator: ", ")); "
                + "see deploy/napsync.example.yaml for the keys napsync reads"
        }
    }
}

/// Parses `90`, `90s`, `1500ms`, `5m`, `2h` into a duration. A bare number is seconds. Nil for anything else,
/// and for more than a year (`inf`, `1e300`): no interval, timeout or backoff is that long, and the clocks the
/// daemon adds durations to would overflow.
public func parseDuration(_ text: String) -> Duration? {
    let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
    let units: [(String, Double)] = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)]
    let (digits, factor) = units.first { trimmed.hasSuffix($0.0) }.map { (trimmed.dropLast($0.0.count), $0.1) } ?? (trimmed[...], 1)
    guard let number = Double(digits), number >= 0 else { return nil }
    let milliseconds = (number * factor * 1000).rounded()
    guard milliseconds <= Double(longestDuration.components.seconds) * 1000 else { return nil }
    return .milliseconds(Int64(milliseconds))
}

/// The longest duration `parseDuration` reads.
public let longestDuration: Duration = .seconds(365 * 24 * 3600)

/// Formats a duration the way `parseDuration` reads it.
func formatDuration(_ duration: Duration) -> String {
    let ms = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    if ms % 1000 != 0 { return "\(ms)ms" }
    let s = ms / 1000
    if s % 3600 == 0, s > 0 { return "\(s / 3600)h" }
    if s % 60 == 0, s > 0 { return "\(s / 60)m" }
    return "\(s)s"
}
