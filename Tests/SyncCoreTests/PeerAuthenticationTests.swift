import Foundation
import NAPModel
import SyncCore
import TestSupport
import Testing

@Suite struct PeerAuthenticationTests {
    let fixture: ReplicaFixture
    let coordinator: Replica
    let defence: Replica

    init() throws {
        fixture = try ReplicaFixture()
        coordinator = try fixture.make(.coordinator, name: "coordinator")
        defence = try fixture.make(.defence, name: "defence")
        try fixture.join([defence], to: coordinator)
    }

    @Test func anAdmittedNodesSignedRequestIsAccepted() throws {
        let body = Data("{\"clock\":{}}".utf8)
        let authentication = try defence.authenticate(kind: "request", method: "POST", path: "/v1/changes/pull", body: body)
        let peer = try coordinator.verify(authentication, kind: "request", method: "POST", path: "/v1/changes/pull", body: body)
        #expect(peer == AuthenticatedPeer(node: defence.nodeID, owner: "defence"))
    }

    @Test func alteredUnsignedStaleOrUnknownRequestsAreRefused() throws {
        let body = Data("{}".utf8)
        let authentication = try defence.authenticate(kind: "request", method: "POST", path: "/v1/changes/push", body: body)
        #expect(throws: TrustError.self, "another body") {
            try coordinator.verify(authentication, kind: "request", method: "POST", path: "/v1/changes/push", body: Data("{ }".utf8))
        }
        #expect(throws: TrustError.self, "another path") {
            try coordinator.verify(authentication, kind: "request", method: "POST", path: "/v1/changes/pull", body: body)
        }
        #expect(throws: TrustError.self, "no headers") {
            try coordinator.verify(nil, kind: "request", method: "POST", path: "/v1/changes/push", body: body)
        }
        #expect(throws: TrustError.self, "replayed an hour later") {
            try coordinator.verify(authentication, kind: "request", method: "POST", path: "/v1/changes/push", body: body, now: Date().addingTimeInterval(3600))
        }
        let outsider = try fixture.make(.defence, name: "outsider")
        #expect(throws: TrustError.self, "a node that never joined cannot even sign") {
            try outsider.authenticate(kind: "request", method: "GET", path: "/v1/hello", body: Data())
        }
    }

    @Test func aRevokedNodeIsRefusedAtTheHTTPLayer() throws {
        try coordinator.revoke(defence.nodeID, reason: "test")
        let authentication = try defence.authenticate(kind: "request", method: "GET", path: "/v1/hello", body: Data())
        #expect(throws: TrustError.self) {
            try coordinator.verify(authentication, kind: "request", method: "GET", path: "/v1/hello", body: Data())
        }
    }
}
