import Hummingbird
import NIOCore

/// The request context of the napsync server: the core context plus the peer's address, so local-only endpoints
/// (`/v1/local/...`) can refuse remote callers.
public struct NapsyncRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

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
}
