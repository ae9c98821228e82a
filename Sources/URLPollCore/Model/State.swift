import Foundation

/// What one poll found out about one URL: the message a ``Poller`` sends to the ``StateMonitor``.
///
/// A `State` is an immutable value; once sent, the monitor is its only reader.
public struct State: Sendable, Equatable {
    /// The ``Resource/id`` of the polled URL.
    public let resourceID: Int
    /// The outcome of the request.
    public let outcome: ProbeOutcome
    /// `up` or `down`, derived from ``outcome``.
    public var health: Health { Health(outcome) }
    /// How long the request took, from just before it was issued until the response head or the error.
    public let latency: Duration
    /// When the poll ended (wall clock, for reports).
    public let checkedAt: Date
    /// The resource's consecutive failures after this poll.
    public let consecutiveFailures: Int
    /// The HTTP method that was used.
    public let method: String
    /// How long after its due time the poll started, or `nil` for a URL's first poll (which follows no sleep).
    public let lateness: Duration?

    public init(
        resourceID: Int,
        outcome: ProbeOutcome,
        latency: Duration,
        checkedAt: Date,
        consecutiveFailures: Int,
        method: String = "HEAD",
        lateness: Duration? = nil
    ) {
        self.resourceID = resourceID
        self.outcome = outcome
        self.latency = latency
        self.checkedAt = checkedAt
        self.consecutiveFailures = consecutiveFailures
        self.method = method
        self.lateness = lateness
    }
}
