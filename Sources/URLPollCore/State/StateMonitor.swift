import Foundation

/// The single owner of the map url → latest state, and of the statistics about the polls.
///
/// Pollers send it ``State``s with ``record(_:)``; reporters ask it for a ``Report`` with ``report(at:)``
/// and for a ``RunSummary`` with ``summary(process:)``. Nothing else reads or writes the map: it lives
/// in this actor's ``StateTable`` and leaves only as copied values. Rendering happens outside the actor,
/// so a large report never holds up the pollers.
public actor StateMonitor {
    private var table: StateTable
    private var statistics: PollStatistics
    private let start: ContinuousClock.Instant
    private let metrics: PollMetrics?
    private var idsByStableID: [String: Int]?

    /// A monitor in which every target is pending since now.
    ///
    /// - Parameters:
    ///   - historyLength: recent results kept per URL (for the status page); 0 keeps none.
    ///   - metrics: where to record per-poll metrics, if anywhere.
    public init(targets: TargetList, historyLength: Int = 0, metrics: PollMetrics? = nil) {
        table = StateTable(targets: targets, start: Date(), historyLength: historyLength, keepsSeries: metrics != nil)
        start = .now
        statistics = PollStatistics(urlCount: targets.count, start: start)
        self.metrics = metrics
    }

    /// Takes in the result of one poll.
    public func record(_ state: State) {
        let isFirstPoll = table.apply(state)
        statistics.record(state, isFirstPoll: isFirstPoll, at: .now)
        metrics?.record(state)
    }

    /// The ids of the URLs monitored now, by URL, and the first id never used: what a reload starts from.
    public func running() -> (ids: [String: Int], nextID: Int) {
        (table.runningIDs, table.records.count)
    }

    /// Applies a reloaded configuration (see ``StateTable/apply(_:at:)``).
    public func apply(_ changes: TargetChanges) {
        table.apply(changes, at: Date())
        idsByStableID = nil
    }

    /// Recent results of every URL, indexed by ``Resource/id`` (empty when none are kept).
    public func history() -> [RecentResults] {
        table.history
    }

    /// One URL's state and recent results, found by its ``StableID``.
    public func detail(stableID: String) -> (record: URLRecord, recent: [RecentResults.Result])? {
        if idsByStableID == nil {
            idsByStableID = Dictionary(table.activeIDs.map { (StableID.of(table.records[$0].url), $0) }, uniquingKeysWith: { first, _ in first })
        }
        // Built from the active ids and dropped at every reload, so an id found here is monitored now.
        guard let id = idsByStableID?[stableID] else { return nil }
        return (table.records[id], table.history.isEmpty ? [] : table.history[id].results)
    }

    /// Sets the process gauges and returns the per-URL series in the Prometheus text format, just before
    /// metrics are scraped.
    public func metricsText(pending: Int, inFlight: Int) -> String {
        metrics?.refresh(pending: pending, inFlight: inFlight)
        return URLMetricsExposition.render(records: table.records, ids: table.activeIDs, series: table.series)
    }

    /// A snapshot of every URL's state.
    public func report(at time: Date = Date()) -> Report {
        table.report(at: time)
    }

    /// The figures of the run so far, measured from the monitor's creation.
    public func summary(process: ProcessUsage) -> RunSummary {
        RunSummary(
            statistics: statistics,
            pollsPerURL: table.activeIDs.map { table.records[$0].polls },
            elapsed: .now - start,
            process: process
        )
    }
}
