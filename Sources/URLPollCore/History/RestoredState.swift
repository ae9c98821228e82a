import Foundation

/// What the history remembers of a URL from an earlier run: its last state, so that a restart goes on
/// where it stopped (the first report shows it, and the failure count, with it the back-off, continues).
public struct RestoredState: Sendable, Equatable {
    public let health: Health
    /// Since when the URL had `health`.
    public let since: Date
    public let consecutiveFailures: Int
    public let checkedAt: Date
    public let code: Int?
    public let latency: Duration
    public let status: String
    public let method: CheckMethod

    public init(
        health: Health,
        since: Date,
        consecutiveFailures: Int,
        checkedAt: Date,
        code: Int?,
        latency: Duration,
        status: String,
        method: CheckMethod
    ) {
        self.health = health
        self.since = since
        self.consecutiveFailures = consecutiveFailures
        self.checkedAt = checkedAt
        self.code = code
        self.latency = latency
        self.status = status
        self.method = method
    }
}
