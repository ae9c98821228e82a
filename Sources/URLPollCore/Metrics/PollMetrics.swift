import CoreMetrics

/// urlpoll's metrics, recorded through swift-metrics (and so exposed by whatever backend the factory
/// belongs to; urlpoll uses swift-prometheus).
///
/// Per URL, labelled `url`: `urlpoll_up` (1 or 0), `urlpoll_http_status_code`, `urlpoll_consecutive_failures`
/// (gauges), `urlpoll_polls_total{result="up"|"down"}` (counter) and `urlpoll_poll_duration_seconds`
/// (histogram). For the process: `urlpoll_polls_in_flight`, `urlpoll_pending_urls` (gauges),
/// `urlpoll_scheduling_lateness_seconds` (histogram: how late polls start after their due time) and
/// `urlpoll_build_info` (always 1, labelled with the version).
///
/// Every handle is made once, up front, so recording a poll only updates existing metrics. Gauges that
/// describe the current state are set by ``refresh(records:pending:inFlight:)`` when metrics are
/// scraped, not on every poll. Thread-safe (the handles are).
public struct PollMetrics: Sendable {
    private struct PerURL: Sendable {
        let up: Gauge
        let statusCode: Gauge
        let consecutiveFailures: Gauge
        let pollsUp: Counter
        let pollsDown: Counter
        let duration: Timer
    }

    private let perURL: [PerURL]
    private let inFlight: Gauge
    private let pending: Gauge
    private let lateness: Timer

    /// The version `urlpoll_build_info` reports.
    public static let version = "0.1.0"

    /// Names whose histograms want lateness-sized buckets rather than request-sized ones.
    public static let latenessMetric = "urlpoll_scheduling_lateness_seconds"

    public init(targets: TargetList, factory: any MetricsFactory) {
        perURL = targets.urls.map { url in
            let label = [("url", url)]
            return PerURL(
                up: Gauge(label: "urlpoll_up", dimensions: label, factory: factory),
                statusCode: Gauge(label: "urlpoll_http_status_code", dimensions: label, factory: factory),
                consecutiveFailures: Gauge(label: "urlpoll_consecutive_failures", dimensions: label, factory: factory),
                pollsUp: Counter(label: "urlpoll_polls_total", dimensions: label + [("result", "up")], factory: factory),
                pollsDown: Counter(label: "urlpoll_polls_total", dimensions: label + [("result", "down")], factory: factory),
                duration: Timer(label: "urlpoll_poll_duration_seconds", dimensions: label, factory: factory)
            )
        }
        inFlight = Gauge(label: "urlpoll_polls_in_flight", factory: factory)
        pending = Gauge(label: "urlpoll_pending_urls", factory: factory)
        lateness = Timer(label: Self.latenessMetric, factory: factory)
        Gauge(label: "urlpoll_build_info", dimensions: [("version", Self.version)], factory: factory).record(1)
    }

    /// Records one poll: its result, its duration and its lateness.
    public func record(_ state: State) {
        guard perURL.indices.contains(state.resourceID) else { return }
        let metrics = perURL[state.resourceID]
        if state.health == .up { metrics.pollsUp.increment() } else { metrics.pollsDown.increment() }
        metrics.duration.recordInterval(state.latency)
        if let late = state.lateness { lateness.recordInterval(late) }
    }

    /// Sets the gauges that describe the current state.
    public func refresh(records: [URLRecord], pending pendingCount: Int, inFlight inFlightCount: Int) {
        for record in records where perURL.indices.contains(record.id) && record.health != .pending {
            let metrics = perURL[record.id]
            metrics.up.record(record.health == .up ? 1 : 0)
            metrics.statusCode.record(record.code ?? 0)
            metrics.consecutiveFailures.record(record.consecutiveFailures)
        }
        pending.record(pendingCount)
        inFlight.record(inFlightCount)
    }
}

extension Timer {
    fileprivate func recordInterval(_ duration: Duration) {
        recordNanoseconds(duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
    }
}
