import Foundation

/// The map url → last known state, with up/down/pending counts kept current.
///
/// A pure value type: the ``StateMonitor`` owns the one live instance; tests drive it directly.
/// A configuration reload (``apply(_:at:)``) adds records and retires others; a retired record stays
/// in the arrays, out of reports, counts and metrics, until a later reload gives its slot to a new URL
/// (``TargetChanges``), so reload churn does not grow the table.
public struct StateTable: Sendable {
    /// One record per id ever monitored, indexed by ``Resource/id``; see ``activeIDs`` for the current ones.
    public private(set) var records: [URLRecord]
    /// The ids of the URLs monitored now, in URL order (reports list them so).
    public private(set) var activeIDs: [Int]
    /// Ids removed by a reload.
    private var retired: Set<Int> = []
    private let historyLength: Int
    /// How many records have each health.
    public private(set) var counts: [Health: Int]
    /// The last results of each URL, indexed by ``Resource/id``; empty when no history is kept.
    public private(set) var history: [RecentResults]
    /// Each URL's Prometheus series, indexed by ``Resource/id``; empty when metrics are not kept.
    public private(set) var series: [URLSeries]
    private let keepsSeries: Bool
    /// What every location sees of the URLs with a quorum (none without).
    public private(set) var locationViews: LocationViews

    /// A table in which every target is pending since `start`, unless `restored` has its last state
    /// from an earlier run.
    ///
    /// - Parameters:
    ///   - restored: the last known state of some targets, by id.
    ///   - historyLength: how many recent results to keep per URL (0 keeps none and costs nothing).
    ///   - keepsSeries: whether to keep per-URL metric series.
    ///   - location: this instance's location: its polls of URLs with a quorum are that location's view.
    public init(
        targets: TargetList,
        start: Date,
        restored: [Int: RestoredState] = [:],
        historyLength: Int = 0,
        keepsSeries: Bool = false,
        location: String = ""
    ) {
        let urls = targets.urls
        let options = targets.options
        records = urls.indices.map { URLRecord(id: $0, url: urls[$0], name: options[$0].name, since: start) }
        for (id, state) in restored where records.indices.contains(id) { records[id].restore(state) }
        activeIDs = urls.indices.sorted { urls[$0] < urls[$1] }
        self.historyLength = historyLength
        counts = [.pending: 0, .up: 0, .down: 0]
        for record in records { counts[record.health, default: 0] += 1 }
        history = historyLength > 0 ? Array(repeating: RecentResults(capacity: historyLength), count: urls.count) : []
        series = keepsSeries ? Array(repeating: URLSeries(), count: urls.count) : []
        self.keepsSeries = keepsSeries
        locationViews = LocationViews(location: location)
        for id in urls.indices where options[id].quorum != nil { locationViews.follow(id: id, options: options[id]) }
    }

    /// What recording one poll changed.
    public struct Applied: Sendable, Equatable {
        /// The URL's health before the poll.
        public let previous: Health
        /// Whether it was the URL's first poll in this run (since start, or since a reload added it).
        public let isFirstInRun: Bool
        /// The state as recorded: for a URL with a quorum, the verdict of every location's view.
        public let state: State
        /// For a URL with a quorum: the poll's result as this location's view.
        public let localView: QuorumVerdict.View?
    }

    /// Records a poll's result (for a URL with a quorum, the verdict it makes with the other locations'
    /// views: ``LocationViews/judge(_:)``). States for unknown ids are ignored (`nil`).
    @discardableResult
    public mutating func apply(_ polled: State) -> Applied? {
        guard records.indices.contains(polled.resourceID), !retired.contains(polled.resourceID) else { return nil }
        let (state, localView) = locationViews.judge(polled)
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
        return Applied(previous: before, isFirstInRun: records[state.resourceID].polls == 1, state: state, localView: localView)
    }

    /// Takes the state another instance recorded for URL `id` (a shared database), if it is newer than
    /// the one here: the page and reports show the fleet's view, and this instance's next poll of the
    /// URL starts or ends an outage against the state before it, whoever polled. Returns whether it
    /// was taken. Polls and recent results stay this instance's own.
    @discardableResult
    public mutating func adopt(_ state: RestoredState, id: Int) -> Bool {
        guard records.indices.contains(id), !retired.contains(id) else { return false }
        if let checkedAt = records[id].checkedAt, checkedAt >= state.checkedAt { return false }
        let before = records[id].health
        records[id].restore(state)
        if before != state.health {
            counts[before, default: 0] -= 1
            counts[state.health, default: 0] += 1
        }
        return true
    }

    /// Takes a view of URL `id` that another instance recorded (see ``LocationViews/note(_:id:)``).
    @discardableResult
    public mutating func note(_ view: QuorumVerdict.View, id: Int) -> Bool {
        guard records.indices.contains(id), !retired.contains(id) else { return false }
        return locationViews.note(view, id: id)
    }

    /// A report of every URL at `time`, sorted by URL.
    public func report(at time: Date) -> Report {
        var report = Report(
            time: time,
            up: counts[.up, default: 0],
            down: counts[.down, default: 0],
            pending: counts[.pending, default: 0],
            urls: activeIDs.map { records[$0] }
        )
        for id in activeIDs where locationViews.hasQuorum(id) { report.locations[id] = locationViews.views(of: id) }
        return report
    }

    /// The ids of the URLs monitored now, by URL as configured (what the history and the other instances
    /// name URLs by).
    public var runningIDs: [String: Int] {
        Dictionary(activeIDs.map { (records[$0].url.configured, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Applies a reloaded configuration: new records (pending since `time`), retired ones, new names.
    public mutating func apply(_ changes: TargetChanges, at time: Date) {
        for kept in changes.kept {
            records[kept.id].name = kept.options.name
            locationViews.follow(id: kept.id, options: kept.options)
        }
        for id in changes.removed where retired.insert(id).inserted {
            counts[records[id].health, default: 0] -= 1
            locationViews.forget(id: id)
        }
        for added in changes.added {
            locationViews.follow(id: added.id, options: added.options)
            var record = URLRecord(id: added.id, url: added.url, name: added.options.name, since: time)
            if let state = added.restored { record.restore(state) }
            counts[record.health, default: 0] += 1
            if added.id < records.count {
                precondition(retired.remove(added.id) != nil, "only a retired slot is reused")
                records[added.id] = record
                if historyLength > 0 { history[added.id] = RecentResults(capacity: historyLength) }
                if keepsSeries { series[added.id] = URLSeries() }
            } else {
                precondition(added.id == records.count, "new ids are dense")
                records.append(record)
                if historyLength > 0 { history.append(RecentResults(capacity: historyLength)) }
                if keepsSeries { series.append(URLSeries()) }
            }
        }
        activeIDs = records.indices.filter { !retired.contains($0) }.sorted { records[$0].url < records[$1].url }
    }
}
