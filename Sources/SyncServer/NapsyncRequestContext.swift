import Hummingbird
import NIOCore
import SyncCore

/// The request context of the napsync server: the core context plus the peer's address, so local-only endpoints
/// (`/v1/local/...`) can refuse remote callers.
public struct NapsyncRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    /// The peer that signed this request, set by ``PeerAuthenticationMiddleware`` once verified; nil for open
    /// endpoints and for a node that has not joined a network.
    public var authenticatedPeer: AuthenticatedPeer?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Whether the request comes from this machine.
    public var isLoopback: Bool {
        switch remoteAddress {
        case .v4(let address): address.host.hasPrefix("127.")
        case .v6(let address): address.host == "::1" || address.host.hasPrefix("::ffff:127.")
        case .unixDomainSocket: true
        case nil: false
        }
    }

    /// The peer's address for logs: `host:port`, or `unknown`.
    public var peerAddress: String {
        guard let remoteAddress else { return "unknown" }
        return "\(remoteAddress.ipAddress ?? "?"):\(remoteAddress.port ?? 0)"
    }
}
