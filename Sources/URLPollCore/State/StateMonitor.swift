import Foundation

/// The single owner of the map url → latest state, and of the statistics about the polls.
///
/// Pollers send it ``State``s with ``record(_:)``; reporters ask it for a ``Report`` with ``report(at:)``
/// and for a ``RunSummary`` with ``summary(process:)``. Nothing else reads or writes the map: it lives
/// in this actor's ``StateTable`` and leaves only as copied values. Rendering happens outside the actor,
/// so a large report never holds up the pollers. Whoever needs every result as it comes (alert rules, a
/// test waiting for a condition) ``subscribe()``s: the monitor sends each recorded ``State`` to every
/// subscriber, in the order it recorded them.
///
/// With a history (`historyCapacity`), the monitor also keeps a bounded outbox of ``HistoryEvent``s that
/// the history writer drains in batches (``nextHistoryBatch(maximum:deadline:)``): appending to it costs
/// no extra hop per poll. When it is full (the disk does not keep up), ``record(_:)`` waits for room, so
/// polls wait; nothing is dropped.
public actor StateMonitor {
    private var table: StateTable
    private var statistics: PollStatistics
    private let start: ContinuousClock.Instant
    let clock: any AlarmClock
    private let metrics: PollMetrics?
    private var idsByStableID: [String: Int]?
    /// Ids by URL, for states adopted from other instances; rebuilt after a reload.
    private var idsByURL: [String: Int]?
    private var subscribers: [Int: AsyncStream<State>.Continuation] = [:]
    private var nextSubscriber = 0
    /// The history outbox, when a history is kept.
    var historyOutbox: HistoryOutbox?

    /// A monitor in which every target is pending since now.
    ///
    /// - Parameters:
    ///   - historyLength: recent results kept per URL (for the status page); 0 keeps none.
    ///   - metrics: where to record per-poll metrics, if anywhere.
    ///   - clock: the scheduler's clock, for the run's figures (elapsed time, first round).
    ///   - restored: the last state of some targets from an earlier run, by id.
    ///   - historyCapacity: with a history, the most events the outbox holds.
    ///   - historyOverflow: what happens when it is full: polls wait, or the oldest events are dropped.
    ///   - location: this instance's location: its polls of URLs with a quorum are that location's view.
    public init(
        targets: TargetList,
        historyLength: Int = 0,
        metrics: PollMetrics? = nil,
        clock: any AlarmClock = TaskAlarmClock(),
        restored: [Int: RestoredState] = [:],
        historyCapacity: Int? = nil,
        historyOverflow: HistoryOverflow = .wait,
        location: String = ""
    ) {
        table = StateTable(
            targets: targets,
            start: Date(),
            restored: restored,
            historyLength: historyLength,
            keepsSeries: metrics != nil,
            location: location
        )
        historyOutbox = historyCapacity.map { HistoryOutbox(capacity: $0, overflow: historyOverflow) }
        self.clock = clock
        start = clock.now
        statistics = PollStatistics(urlCount: targets.count, start: start)
        self.metrics = metrics
    }

    /// Takes in the result of one poll (for a URL with a quorum, the verdict it makes with the other
    /// locations' views, which subscribers and the history get). Returns at once, unless the history
    /// outbox is full: then it waits for room.
    public func record(_ polled: State) async {
        guard let applied = table.apply(polled) else { return }
        let state = applied.state
        statistics.record(state, isFirstPoll: applied.isFirstInRun, at: clock.now)
        metrics?.record(state)
        for subscriber in subscribers.values { subscriber.yield(state) }
        if historyOutbox != nil {
            let record = table.records[state.resourceID]
            let event = PollRecord(
                url: record.url,
                checkedAt: state.checkedAt,
                health: state.health,
                previous: applied.previous,
                isFirstInRun: applied.isFirstInRun,
                code: state.code,
                latency: state.latency,
                status: state.status,
                method: state.method,
                consecutiveFailures: state.consecutiveFailures,
                since: record.since,
                localView: applied.localView,
                failure: state.failure
            )
            await enqueueHistory(.polled(event))
        }
    }

    /// Every ``State`` recorded from now on, in order, until the stream is dropped or cancelled.
    ///
    /// The stream buffers without bound: a subscriber that cannot keep up must drain into a bounded
    /// queue of its own (and say what happens at its bound).
    public func subscribe() -> AsyncStream<State> {
        let (stream, continuation) = AsyncStream.makeStream(of: State.self)
        let id = nextSubscriber
        nextSubscriber += 1
        subscribers[id] = continuation
        continuation.onTermination = { _ in
            Task { await self.unsubscribe(id) }
        }
        return stream
    }

    private func unsubscribe(_ id: Int) {
        subscribers[id] = nil
    }

    /// The ids of the URLs monitored now, by URL, and the first id never used: what a reload starts from.
    public func running() -> (ids: [String: Int], nextID: Int) {
        (table.runningIDs, table.records.count)
    }

    /// Takes the newer of these states recorded by other instances (see ``StateTable/adopt(_:id:)``),
    /// by URL; URLs not monitored here are ignored. Returns how many were taken.
    @discardableResult
    public func adopt(_ states: [String: RestoredState]) -> Int {
        if idsByURL == nil { idsByURL = table.runningIDs }
        let ids = idsByURL ?? [:]
        var taken = 0
        for (url, state) in states {
            if let id = ids[url], table.adopt(state, id: id) { taken += 1 }
        }
        return taken
    }

    /// Takes the views of URLs with a quorum that other instances recorded, by URL (the newer view of
    /// each location wins; see ``LocationViews``). Returns how many were taken.
    @discardableResult
    public func note(views: [String: [QuorumVerdict.View]]) -> Int {
        if idsByURL == nil { idsByURL = table.runningIDs }
        let ids = idsByURL ?? [:]
        var taken = 0
        for (url, list) in views {
            guard let id = ids[url] else { continue }
            for view in list where table.note(view, id: id) { taken += 1 }
        }
        return taken
    }

    /// Applies a reloaded configuration (see ``StateTable/apply(_:at:)``).
    public func apply(_ changes: TargetChanges) async {
        let now = Date()
        let removed = historyOutbox == nil ? [] : changes.removed.map { table.records[$0].url }
        table.apply(changes, at: now)
        for url in removed { await enqueueHistory(.removed(url: url, at: now)) }
        idsByStableID = nil
        idsByURL = nil
    }

    /// Recent results of every URL, indexed by ``Resource/id`` (empty when none are kept).
    public func history() -> [RecentResults] {
        table.history
    }

    /// One URL's state, recent results and (with a quorum) every location's view, found by its ``StableID``.
    public func detail(stableID: String) -> (record: URLRecord, recent: [RecentResults.Result], locations: [QuorumVerdict.View])? {
        if idsByStableID == nil {
            idsByStableID = Dictionary(table.activeIDs.map { (table.records[$0].url.stableID, $0) }, uniquingKeysWith: { first, _ in first })
        }
        // Built from the active ids and dropped at every reload, so an id found here is monitored now.
        guard let id = idsByStableID?[stableID] else { return nil }
        return (table.records[id], table.history.isEmpty ? [] : table.history[id].results, table.locationViews.views(of: id))
    }

    /// Sets the process gauges, then runs `render` on the table inside the actor, just before metrics
    /// are scraped: a table of 100,000 URLs is read in place, not copied, and this layer knows nothing of
    /// the exposition format (the web layer's renderer does).
    public func renderMetrics(pending: Int, inFlight: Int, _ render: @Sendable (StateTable) -> String) -> String {
        metrics?.refresh(pending: pending, inFlight: inFlight)
        return render(table)
    }

    /// Polls recorded so far, and the 99th percentile of their lateness (`nil` before any was late or on time).
    public func pollFigures() -> (polls: Int, latenessP99: Duration?) {
        let lateness = statistics.lateness
        return (statistics.polls, lateness.totalCount == 0 ? nil : .microseconds(Int64(lateness.valueAtPercentile(99))))
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
            elapsed: clock.now - start,
            process: process
        )
    }
}
