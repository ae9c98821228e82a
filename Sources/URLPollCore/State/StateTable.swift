import Foundation

/// The map url → last known state, with up/down/pending counts kept current.
///
/// A pure value type: the ``StateMonitor`` owns the one live instance; tests drive it directly.
public struct StateTable: Sendable {
    /// One record per target, indexed by ``Resource/id``.
    public private(set) var records: [URLRecord]
    /// Record ids in URL order, for reports (computed once: the targets do not change).
    private let idsByURL: [Int]
    /// How many records have each health.
    public private(set) var counts: [Health: Int]
    /// The last results of each URL, indexed by ``Resource/id``; empty when no history is kept.
    public private(set) var history: [RecentResults]
    /// Each URL's Prometheus series, indexed by ``Resource/id``; empty when metrics are not kept.
    public private(set) var series: [URLSeries]

    /// A table in which every target is pending since `start`.
    ///
    /// - Parameters:
    ///   - historyLength: how many recent results to keep per URL (0 keeps none and costs nothing).
    ///   - keepsSeries: whether to keep per-URL metric series.
    public init(targets: TargetList, start: Date, historyLength: Int = 0, keepsSeries: Bool = false) {
        let urls = targets.urls
        records = urls.indices.map { URLRecord(id: $0, url: urls[$0], since: start) }
        idsByURL = urls.indices.sorted { urls[$0] < urls[$1] }
        counts = [.pending: records.count, .up: 0, .down: 0]
        history = historyLength > 0 ? Array(repeating: RecentResults(capacity: historyLength), count: urls.count) : []
        series = keepsSeries ? Array(repeating: URLSeries(), count: urls.count) : []
    }

    /// Records a poll's result. States for unknown ids are ignored.
    ///
    /// - Returns: whether this was the URL's first recorded poll.
    @discardableResult
    public mutating func apply(_ state: State) -> Bool {
        guard records.indices.contains(state.resourceID) else { return false }
        let before = records[state.resourceID].health
        records[state.resourceID].apply(state)
        let after = records[state.resourceID].health
        if before != after {
            counts[before, default: 0] -= 1
            counts[after, default: 0] += 1
        }
        if !history.isEmpty {
            history[state.resourceID].append(.init(checkedAt: state.checkedAt, latency: state.latency, up: after == .up))
        }
        if !series.isEmpty {
            series[state.resourceID].record(up: after == .up, duration: state.latency)
        }
        return before == .pending
    }

    /// A report of every URL at `time`, sorted by URL.
    public func report(at time: Date) -> Report {
        Report(
            time: time,
            up: counts[.up, default: 0],
            down: counts[.down, default: 0],
            pending: counts[.pending, default: 0],
            urls: idsByURL.map { records[$0] }
        )
    }
}
