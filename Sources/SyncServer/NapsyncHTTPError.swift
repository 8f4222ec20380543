import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOFoundationCompat

/// The stable error codes of JSON error bodies (see section 7 of `protocol.md`).
public enum ErrorCode {
    public static let incompatibleProtocol = "incompatible-protocol"
    public static let badRequest = "bad-request"
    public static let bodyTooLarge = "body-too-large"
    public static let changeSetRefused = "change-set-refused"
    public static let replicaUnavailable = "replica-unavailable"
    public static let forbidden = "forbidden"
    public static let unauthenticated = "unauthenticated"
    public static let unknownPeer = "unknown-peer"
    public static let notFound = "not-found"
    public static let shuttingDown = "shutting-down"
}

/// An error answered with a JSON ``ErrorBody``.
public struct NapsyncHTTPError: Error, HTTPResponseError, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var body: ErrorBody
    public var extraHeaders: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, supportedVersions: [Int]? = nil) {
        self.status = status
        self.body = ErrorBody(error: code, message: message, supportedVersions: supportedVersions)
        self.extraHeaders = [:]
    }

    public var description: String { "\(status.code) \(body.error): \(body.message)" }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = extraHeaders
        headers[.contentType] = ProtocolV1.jsonContentType
        let data = try JSONEncoder().encode(body)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(data: data)))
    }

    static func incompatible(_ message: String) -> NapsyncHTTPError {
        var error = NapsyncHTTPError(
            .upgradeRequired, code: ErrorCode.incompatibleProtocol, message: message,
            supportedVersions: ProtocolV1.supportedVersions)
        error.extraHeaders[.upgrade] = "napsync/\(ProtocolV1.version)"
        return error
    }
}
