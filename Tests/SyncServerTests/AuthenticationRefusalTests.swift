import SyncCore
import SyncServer
import Testing

/// The labels logs and `napsync_requests_refused_total{reason}` carry come from the core's verdicts, one for one.
@Suite struct AuthenticationRefusalTests {
    @Test(arguments: TrustError.Refusal.allCases)
    func aRefusalKeepsTheCoresReason(_ refusal: TrustError.Refusal) {
        let classified = AuthenticationRefusal(classifying: TrustError.refused(node: "n", reason: refusal, detail: "d"))
        #expect(classified.reason == .refused(refusal))
        #expect(classified.reason.label == refusal.rawValue)
    }

    @Test func otherFailuresHaveTheirOwnLabels() {
        struct DiskFull: Error {}
        #expect(AuthenticationRefusal(classifying: TrustError.wrongNetwork(expected: "a", found: "b")).reason.label == "wrong-network")
        #expect(AuthenticationRefusal(classifying: DiskFull()).reason.label == "local-failure")
        #expect(AuthenticationRefusal(classifying: TrustError.invalidCertificate(node: "n", reason: "r")).reason == .refused(.unknownNode))
    }
}
