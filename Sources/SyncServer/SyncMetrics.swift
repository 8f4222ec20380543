import CoreMetrics
import Foundation
import Metrics
import Prometheus
import SyncCore

/// The daemon's metrics, recorded through swift-metrics into a Prometheus registry that `/metrics` renders.
///
/// Each daemon owns its registry (rather than the process-wide `MetricsSystem`), so several nodes can run in one
/// test process without mixing their counts.
public final class SyncMetrics: Sendable {
    public enum Direction: String, Sendable { case `in`, out }

    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
    }

    /// The Prometheus text exposition of every metric.
    public func render() -> [UInt8] { registry.emitToBuffer() }

    /// Counts a finished session with a peer and updates that peer's gauges.
    public func recordSession(_ summary: SyncSummary, failure: SyncFailure?, at date: Date = Date()) {
        let peer = summary.peer
        Counter(
            label: "napsync_syncs_total", dimensions: [("peer", peer), ("outcome", summary.outcome.rawValue)],
            factory: factory
        ).increment()
        if let failure {
            Counter(
                label: "napsync_sync_failures_total", dimensions: [("peer", peer), ("kind", failure.kind)],
                factory: factory
            ).increment()
        } else {
            Gauge(label: "napsync_peer_last_success_timestamp_seconds", dimensions: [("peer", peer)], factory: factory)
                .record(date.timeIntervalSince1970)
        }
        Counter(label: "napsync_changes_applied_total", dimensions: [("peer", peer)], factory: factory)
            .increment(by: Self.count(summary.applied))
        Counter(label: "napsync_changes_already_known_total", dimensions: [("peer", peer)], factory: factory)
            .increment(by: Self.count(summary.alreadyKnown))
        Counter(label: "napsync_changes_pushed_total", dimensions: [("peer", peer)], factory: factory)
            .increment(by: Self.count(summary.pushed))
        Counter(label: "napsync_changes_refused_total", dimensions: [("peer", peer)], factory: factory)
            .increment(by: Self.count(summary.refused))
        recordBytes(summary.bytesIn, direction: .in)
        recordBytes(summary.bytesOut, direction: .out)
        if let lag = summary.lagAfter ?? summary.lagBefore {
            recordLag(lag, peer: peer)
        }
        Gauge(label: "napsync_peer_reachable", dimensions: [("peer", peer)], factory: factory)
            .record(failure?.isUnreachable == true ? 0 : 1)
    }

    public func recordLag(_ lag: Lag, peer: String) {
        Gauge(
            label: "napsync_peer_lag_changes", dimensions: [("peer", peer), ("direction", "inbound")], factory: factory
        )
        .record(Double(lag.inbound))
        Gauge(
            label: "napsync_peer_lag_changes", dimensions: [("peer", peer), ("direction", "outbound")], factory: factory
        )
        .record(Double(lag.outbound))
    }

    public func recordBytes(_ count: Int, direction: Direction) {
        guard count > 0 else { return }
        Counter(label: "napsync_bytes_total", dimensions: [("direction", direction.rawValue)], factory: factory)
            .increment(by: Int64(count))
    }

    /// A change set a peer pushed and this node applied (`peer` is the pushing node's id).
    public func recordApplied(_ report: ApplyReport, peer: String) {
        Counter(label: "napsync_changes_applied_total", dimensions: [("peer", peer)], factory: factory)
            .increment(by: Int64(report.applied))
        Counter(label: "napsync_changes_already_known_total", dimensions: [("peer", peer)], factory: factory)
            .increment(by: Int64(report.alreadyKnown))
    }

    /// A change set a peer pushed and this node refused.
    public func recordRefused(_ changes: Int, peer: String) {
        Counter(label: "napsync_changes_refused_total", dimensions: [("peer", peer)], factory: factory)
            .increment(by: Self.count(changes))
    }

    /// A count for a counter, which may only grow: some counts come from what a peer said, and a negative one
    /// would stop the process (the Prometheus counter's precondition).
    static func count(_ value: Int) -> Int64 { Int64(max(0, value)) }

    /// A request refused before any handler ran, because it was not authenticated (`reason`: see
    /// ``AuthenticationRefusal/Reason/label``).
    public func recordRefusedRequest(reason: String) {
        Counter(label: "napsync_requests_refused_total", dimensions: [("reason", reason)], factory: factory).increment()
    }
}
