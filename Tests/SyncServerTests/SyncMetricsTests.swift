import Foundation
import SyncCore
import Testing

@testable import SyncServer

@Suite("Sync metrics")
struct SyncMetricsTests {
    @Test("a count a peer reported below zero is counted as none, never stopping the process")
    func negativeCountsAreNone() throws {
        // Given counts that came from what a peer said: a refused push announcing -1 changes, a session whose
        // pulled chunk announced -5
        let metrics = SyncMetrics()
        metrics.recordRefused(-1, peer: "pusher")
        var summary = SyncSummary(peer: "http://peer", direction: .both)
        summary.outcome = .failed
        summary.refused = -5
        metrics.recordSession(summary, failure: nil)
        // Then both counters exist and read zero
        let text = String(decoding: metrics.render(), as: UTF8.self)
        #expect(text.contains(#"napsync_changes_refused_total{peer="pusher"} 0"#), "\(text)")
        #expect(text.contains(#"napsync_changes_refused_total{peer="http://peer"} 0"#), "\(text)")
    }
}
