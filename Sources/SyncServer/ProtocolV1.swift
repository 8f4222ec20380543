import Foundation
import SyncCore

/// Constants and message bodies of version 1 of the HTTP sync protocol, as section 7 of `protocol.md` describes them.
///
/// The path prefix carries the major version; every `/v1` request also carries `Napsync-Protocol: 1` so that a
/// node can refuse a peer of another version with a clear answer instead of a confusing 404.
public enum ProtocolV1 {
    /// The protocol version this build speaks.
    public static let version = 1
    /// Every version this build can answer; listed in refusals so the peer knows what to upgrade to.
    public static let supportedVersions = [1]

    public static let pathPrefix = "v1"

    public enum Header {
        /// Sent on every `/v1` request and response: the protocol version of the sender.
        public static let protocolVersion = "Napsync-Protocol"
        /// The sender's node id (32 hex digits).
        public static let node = "Napsync-Node"
        /// Number of changes in the change set in the body.
        public static let changeCount = "Napsync-Change-Count"
        /// `true` when the responder holds more changes the requester lacks after this chunk.
        public static let hasMore = "Napsync-Has-More"
    }

    public static let changeSetContentType = "application/octet-stream"
    public static let jsonContentType = "application/json"
}

/// `GET /v1/hello`: who a node is, what it holds and what it accepts.
public struct HelloResponse: Sendable, Codable, Equatable {
    public var protocolVersion: Int
    public var supportedVersions: [Int]
    public var node: NodeID
    public var software: String
    /// The fingerprint of the network the node belongs to; nil (sent as `null`) before it joins one.
    public var network: String?
    public var clock: VectorClock
    public var limits: Limits

    public struct Limits: Sendable, Codable, Equatable {
        /// Largest request body the node accepts, in bytes.
        public var maxBodyBytes: Int
        /// Most changes the node puts in (or accepts in) one change set.
        public var maxChangesPerChunk: Int

        public init(maxBodyBytes: Int, maxChangesPerChunk: Int) {
            self.maxBodyBytes = maxBodyBytes
            self.maxChangesPerChunk = maxChangesPerChunk
        }
    }

    public init(
        protocolVersion: Int = ProtocolV1.version,
        supportedVersions: [Int] = ProtocolV1.supportedVersions,
        node: NodeID,
        software: String = NapsyncVersion.software,
        network: String? = nil,
        clock: VectorClock,
        limits: Limits
    ) {
        self.protocolVersion = protocolVersion
        self.supportedVersions = supportedVersions
        self.node = node
        self.software = software
        self.network = network
        self.clock = clock
        self.limits = limits
    }

    private enum CodingKeys: String, CodingKey {
        case protocolVersion, supportedVersions, node, software, network, clock, limits
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        protocolVersion = try container.decode(Int.self, forKey: .protocolVersion)
        supportedVersions = try container.decode([Int].self, forKey: .supportedVersions)
        node = try container.decode(NodeID.self, forKey: .node)
        software = try container.decode(String.self, forKey: .software)
        // Absent from nodes older than this field: the same as not joined.
        network = try container.decodeIfPresent(String.self, forKey: .network)
        clock = try container.decode(VectorClock.self, forKey: .clock)
        limits = try container.decode(Limits.self, forKey: .limits)
    }

    /// Writes `"network": null` explicitly for a node that has not joined, as the protocol describes.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(protocolVersion, forKey: .protocolVersion)
        try container.encode(supportedVersions, forKey: .supportedVersions)
        try container.encode(node, forKey: .node)
        try container.encode(software, forKey: .software)
        try container.encode(network, forKey: .network)
        try container.encode(clock, forKey: .clock)
        try container.encode(limits, forKey: .limits)
    }
}

/// `POST /v1/changes/pull` request body: what the requester holds and how much it wants at once.
public struct PullRequestBody: Sendable, Codable, Equatable {
    public var clock: VectorClock
    public var maxChanges: Int

    public init(clock: VectorClock, maxChanges: Int) {
        self.clock = clock
        self.maxChanges = maxChanges
    }
}

/// `POST /v1/changes` response body: what applying the pushed change set did.
public typealias PushResponseBody = ApplyReport

/// Body of every error response.
public struct ErrorBody: Sendable, Codable, Equatable {
    /// A stable, machine-readable code, e.g. `incompatible-protocol`.
    public var error: String
    /// A sentence for people: what went wrong and what to do.
    public var message: String
    /// Set on `incompatible-protocol`: the versions the answering node speaks.
    public var supportedVersions: [Int]?
    /// Set on `unauthenticated`: the fingerprint of the network the answering node belongs to.
    public var network: String?

    public init(error: String, message: String, supportedVersions: [Int]? = nil, network: String? = nil) {
        self.error = error
        self.message = message
        self.supportedVersions = supportedVersions
        self.network = network
    }
}

/// `POST /v1/local/sync` request body (loopback only): sync now with one peer or all configured peers.
public struct SyncNowRequestBody: Sendable, Codable, Equatable {
    public var peer: String?

    public init(peer: String? = nil) { self.peer = peer }
}

/// `POST /v1/local/sync` response body.
public struct SyncNowResponseBody: Sendable, Codable, Equatable {
    public var sessions: [SyncSummary]

    public init(sessions: [SyncSummary]) { self.sessions = sessions }
}

public enum NapsyncVersion {
    public static let software = "napsync/0.1.0"
}
