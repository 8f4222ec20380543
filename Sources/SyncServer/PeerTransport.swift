import Foundation
import SyncCore

/// The three calls a session makes on a peer. ``HTTPPeerTransport`` speaks HTTP; tests may substitute their own.
///
/// Implementations throw ``SyncFailure``.
public protocol PeerTransport: Sendable {
    /// `GET /v1/hello`.
    func hello() async throws -> HelloResponse
    /// `POST /v1/changes/pull`: `nil` when the peer has nothing the requester lacks.
    func pull(_ request: PullRequestBody) async throws -> PulledChunk?
    /// `POST /v1/changes`: the peer's report after applying the change set.
    func push(_ changeSet: OutgoingChangeSet) async throws -> ApplyReport
}
