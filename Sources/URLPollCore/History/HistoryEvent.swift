import Foundation

/// What the ``StateMonitor`` tells the history, in the order it recorded it: every poll, and the URLs
/// a reload removed. The store turns these into result rows, the last state of each URL, outages
/// (incidents) and the spans of known time (coverage).
public enum HistoryEvent: Sendable, Equatable {
    case polled(PollRecord)
    /// A reload stopped monitoring `url` at `at` (its known time ends there).
    case removed(url: TargetURL, at: Date)
}

/// One recorded poll, with what the history needs to know about the URL's state around it.
public struct PollRecord: Sendable, Equatable {
    public let url: TargetURL
    public let checkedAt: Date
    public let health: Health
    /// The URL's health before this poll (`pending` for its first ever; its restored state after a
    /// restart). A poll whose health differs starts or ends an outage.
    public let previous: Health
    /// Whether this is the URL's first poll in this run (since start, or since a reload added it): its
    /// known time starts here.
    public let isFirstInRun: Bool
    public let code: Int?
    public let latency: Duration
    public let status: String
    public let method: CheckMethod
    public let consecutiveFailures: Int
    /// Since when the URL has had `health`.
    public let since: Date
    /// For a URL with a quorum: what this instance's location saw (`health` is the quorum's verdict);
    /// a shared database keeps each location's latest view.
    public let localView: QuorumVerdict.View?
    /// Why the poll failed, for kinds that say (``State/failure``).
    public var failure: FailureKind?

    public init(
        url: TargetURL,
        checkedAt: Date,
        health: Health,
        previous: Health,
        isFirstInRun: Bool,
        code: Int?,
        latency: Duration,
        status: String,
        method: CheckMethod,
        consecutiveFailures: Int,
        since: Date,
        localView: QuorumVerdict.View? = nil,
        failure: FailureKind? = nil
    ) {
        self.failure = failure
        self.localView = localView
        self.url = url
        self.checkedAt = checkedAt
        self.health = health
        self.previous = previous
        self.isFirstInRun = isFirstInRun
        self.code = code
        self.latency = latency
        self.status = status
        self.method = method
        self.consecutiveFailures = consecutiveFailures
        self.since = since
    }
}
