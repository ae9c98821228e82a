import Foundation

/// Where the history is kept: results, each URL's last state, outages and the spans of known time.
///
/// The engine knows only this protocol: `SQLiteHistoryStore` (target `URLPollStorage`) is the embedded
/// default; a store shared by several instances implements the same calls. Every call is safe from any
/// task; writes happen one at a time (the ``HistoryWriter`` is the only writer of results), reads may run
/// alongside them and never wait for them.
public protocol HistoryStore: Sendable {
    /// Starts a run (one process's lifetime) at `time` and returns its id: the results written under it
    /// count as known time until the run ends (or, if the process dies, until its last write).
    func beginRun(at time: Date) async throws -> Int64

    /// Ends `run` at `time` (a clean shutdown): its open spans of known time end there.
    func endRun(_ run: Int64, at time: Date) async throws

    /// The last state of each of `urls` the store knows, by URL.
    func restore(_ urls: [String]) async throws -> [String: RestoredState]

    /// Writes `events` in one transaction, and marks `run` alive until `aliveAt`.
    func write(_ events: [HistoryEvent], run: Int64, aliveAt: Date) async throws

    /// The spans of known time and of outages of every URL that has any since `since` (ends of open
    /// spans: `now` for this run, the last write for a run that died).
    func timelines(since: Date, now: Date, run: Int64) async throws -> [String: Timeline]

    /// The stored results of `url` since `since`, oldest first.
    func results(url: String, since: Date) async throws -> [StoredResult]

    /// Outages that overlap the time since `since` (of `url`, or of every URL when `nil`), newest first,
    /// at most `limit` of them.
    func incidents(url: String?, since: Date, limit: Int?) async throws -> [Incident]

    /// One small step of rollup and retention at `now` (a transaction of bounded size).
    /// - Returns: whether more work is left (call again soon), or everything is done for now.
    func maintain(now: Date, policy: RetentionPolicy) async throws -> Bool

    /// Whether a call may go unanswered without end: a database server's client can wait forever on a
    /// connection the server closed mid-query. The ``HistoryWriter`` then gives up a write that has not
    /// answered in time and writes the batch again, so such a store's writes must be harmless to repeat.
    /// A store in a local file answers or fails (`false`, the default), and is always waited for.
    var mayHang: Bool { get }
}

extension HistoryStore {
    public var mayHang: Bool { false }
}

/// What makes one URL's uptime: when its state was known, and when it was down.
public struct Timeline: Sendable, Equatable {
    public var coverage: [UptimeArithmetic.Span]
    public var down: [UptimeArithmetic.Span]

    public init(coverage: [UptimeArithmetic.Span] = [], down: [UptimeArithmetic.Span] = []) {
        self.coverage = coverage
        self.down = down
    }
}

/// One stored poll result.
public struct StoredResult: Sendable, Equatable {
    public let checkedAt: Date
    public let health: Health
    public let code: Int?
    public let latency: Duration
    public let status: String
    public let method: CheckMethod

    public init(checkedAt: Date, health: Health, code: Int?, latency: Duration, status: String, method: CheckMethod) {
        self.checkedAt = checkedAt
        self.health = health
        self.code = code
        self.latency = latency
        self.status = status
        self.method = method
    }
}

/// One outage of one URL: from the poll that found it down to the poll that found it up again.
public struct Incident: Sendable, Equatable {
    /// The URL as the store keeps it, shown with the built-in rules (``URLRedaction/standard``) unless
    /// the reader knows the URL's own (``shown(with:)``).
    public let url: TargetURL
    public let downAt: Date
    /// `nil` while the outage goes on.
    public let upAt: Date?
    /// The status text of the poll that went down.
    public let firstStatus: String

    public init(url: TargetURL, downAt: Date, upAt: Date?, firstStatus: String) {
        self.url = url
        self.downAt = downAt
        self.upAt = upAt
        self.firstStatus = firstStatus
    }

    /// The same outage with its URL shown as `urls` (the monitored URLs, by configured URL) show it.
    public func shown(with urls: [String: TargetURL]) -> Incident {
        guard let known = urls[url.configured] else { return self }
        return Incident(url: known, downAt: downAt, upAt: upAt, firstStatus: firstStatus)
    }

    /// How long it lasted, or has lasted until `now`; never negative.
    public func duration(now: Date) -> TimeInterval {
        max(0, (upAt ?? now).timeIntervalSince(downAt))
    }
}
