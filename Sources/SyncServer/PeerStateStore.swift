import Foundation
import SyncCore

/// Reads and writes the per-peer state file, `peers.json` in the data directory.
///
/// The daemon writes it after every session (atomically: write a temporary file, then rename), so
/// `napsync status` can read it at any time, whether the daemon runs or not:
///
/// ```swift
/// let peers = try PeerStateStore(dataDirectory: dir).load()
/// ```
public struct PeerStateStore: Sendable {
    public static let fileName = "peers.json"

    /// The file's content.
    public struct Snapshot: Sendable, Codable, Equatable {
        public var formatVersion: Int
        /// The node that wrote the file.
        public var node: NodeID?
        public var updated: Date
        public var peers: [PeerStatus]
    }

    public let fileURL: URL

    public init(dataDirectory: URL) {
        self.fileURL = dataDirectory.appendingPathComponent(Self.fileName)
    }

    /// The peers' state, or an empty list when no daemon ever wrote it.
    public func load() throws -> [PeerStatus] {
        try loadSnapshot()?.peers ?? []
    }

    /// The whole file, or `nil` when it does not exist.
    public func loadSnapshot() throws -> Snapshot? {
        guard FileManager.default.fileExists(atPath: fileURL.path) else { return nil }
        let data = try Data(contentsOf: fileURL)
        return try Self.decoder.decode(Snapshot.self, from: data)
    }

    public func save(_ peers: [PeerStatus], node: NodeID?, now: Date = Date()) throws {
        let snapshot = Snapshot(formatVersion: 1, node: node, updated: now, peers: peers)
        try Self.encoder.encode(snapshot).write(to: fileURL, options: .atomic)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()
}
