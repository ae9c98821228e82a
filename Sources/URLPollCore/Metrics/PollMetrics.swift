import CoreMetrics

/// The process-wide metrics, recorded through swift-metrics (urlpoll bootstraps swift-prometheus):
/// `urlpoll_polls_in_flight` and `urlpoll_pending_urls` (gauges), `urlpoll_scheduling_lateness_seconds`
/// (histogram: how late polls start after their due time) and `urlpoll_build_info` (always 1, labelled
/// with the version). The per-URL series are written by ``URLMetricsExposition``.
///
/// Every handle is made once, so recording a poll only updates an existing histogram; the gauges are
/// set by ``refresh(pending:inFlight:)`` when metrics are scraped. Thread-safe (the handles are).
public struct PollMetrics: Sendable {
    private let inFlight: Gauge
    private let pending: Gauge
    private let lateness: Timer
    /// One histogram per phase, in ``PollPhases/Phase/allCases`` order.
    private let phases: [Timer]

    /// The lateness histogram's name, for configuring its buckets in the factory.
    public static let latenessMetric = "urlpoll_scheduling_lateness_seconds"
    /// The phase histograms' name, for configuring their buckets in the factory.
    public static let phaseMetric = "urlpoll_poll_phase_seconds"

    public init(factory: any MetricsFactory) {
        inFlight = Gauge(label: "urlpoll_polls_in_flight", factory: factory)
        pending = Gauge(label: "urlpoll_pending_urls", factory: factory)
        lateness = Timer(label: Self.latenessMetric, factory: factory)
        phases = PollPhases.Phase.allCases.map { Timer(label: Self.phaseMetric, dimensions: [("phase", $0.rawValue)], factory: factory) }
        Gauge(label: "urlpoll_build_info", dimensions: [("version", URLPollVersion.current)], factory: factory).record(1)
    }

    /// Records how late one poll started (if it followed a sleep) and how long each of its phases took.
    public func record(_ state: State) {
        if let late = state.lateness { lateness.recordNanoseconds(late.wholeNanoseconds) }
        for (index, phase) in PollPhases.Phase.allCases.enumerated() {
            if let microseconds = state.phases.microseconds(of: phase) { phases[index].recordNanoseconds(Int64(microseconds) * 1000) }
        }
    }

    /// Sets the gauges that describe the scheduler's queue now.
    public func refresh(pending pendingCount: Int, inFlight inFlightCount: Int) {
        pending.record(pendingCount)
        inFlight.record(inFlightCount)
    }
}
