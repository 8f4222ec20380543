import HTTPTypes
import Hummingbird

/// Refuses requests of another protocol version with `426 Upgrade Required` and an `incompatible-protocol` body
/// that lists the versions this node speaks: a `/vN/` path other than `/v1/`, or a `/v1/` request whose
/// `Napsync-Protocol` header is missing or not `1`.
struct ProtocolVersionMiddleware<Context: RequestContext>: RouterMiddleware {
    static var headerName: HTTPField.Name { HTTPField.Name(ProtocolV1.Header.protocolVersion)! }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let first = request.uri.path.split(separator: "/").first.map(String.init) ?? ""
        guard first.count >= 2, first.hasPrefix("v"), first.dropFirst().allSatisfy(\.isNumber) else {
            return try await next(request, context)  // /health, /metrics
        }
        guard first == ProtocolV1.pathPrefix else {
            throw NapsyncHTTPError.incompatible(
                "this node speaks napsync protocol version \(ProtocolV1.version) only (paths under /v1/), not /\(first)/"
            )
        }
        if !request.uri.path.hasPrefix("/\(ProtocolV1.pathPrefix)/local/") {
            guard let version = request.headers[Self.headerName] else {
                throw NapsyncHTTPError.incompatible(
                    "send the header '\(ProtocolV1.Header.protocolVersion): \(ProtocolV1.version)' with every /v1/ request"
                )
            }
            guard version == String(ProtocolV1.version) else {
                throw NapsyncHTTPError.incompatible(
                    "peer sent \(ProtocolV1.Header.protocolVersion) \(version); this node speaks version \(ProtocolV1.version)"
                )
            }
        }
        var response = try await next(request, context)
        response.headers[Self.headerName] = String(ProtocolV1.version)
        return response
    }
}
