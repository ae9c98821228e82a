import Foundation

/// What one poll found out about one URL: the message a ``Poller`` sends to the ``StateMonitor``.
///
/// A `State` is an immutable value; once sent, the monitor is its only reader.
public struct State: Sendable, Equatable {
    /// The ``Resource/id`` of the polled URL.
    public let resourceID: Int
    /// `up` or `down`, as the URL's ``CheckVerdict`` decided.
    public let health: Health
    /// The status text reports show: `"200 OK"`, an error, or the failed condition.
    public let status: String
    /// The final HTTP status code, if the server answered.
    public let code: Int?
    /// How long the poll took, from just before the first request until the answer (or the error).
    public let latency: Duration
    /// When the poll ended (wall clock, for reports).
    public let checkedAt: Date
    /// The resource's consecutive failures after this poll.
    public let consecutiveFailures: Int
    /// The HTTP method of the poll's last request (GET after a HEAD→GET fallback).
    public let method: CheckMethod
    /// How long after its due time the poll started, or `nil` for a URL's first poll (which follows no sleep).
    public let lateness: Duration?
    /// When the server's TLS certificate expires, if the poll saw one.
    public let certificateExpiry: Date?
    /// How long each phase of the poll took (empty without an answer).
    public let phases: PollPhases
    /// The IP address of the server that answered, if the client tells.
    public let remoteAddress: String?
    /// Why a poll of a non-HTTP kind failed, as a code (``FailureKind``); `nil` for HTTP polls, whose
    /// failures ``ConnectivityJudge`` reads from the missing status code.
    public var failure: FailureKind?

    public init(
        resourceID: Int,
        health: Health,
        status: String,
        code: Int?,
        latency: Duration,
        checkedAt: Date,
        consecutiveFailures: Int,
        method: CheckMethod = .head,
        lateness: Duration? = nil,
        certificateExpiry: Date? = nil,
        phases: PollPhases = PollPhases(),
        remoteAddress: String? = nil,
        failure: FailureKind? = nil
    ) {
        self.failure = failure
        self.phases = phases
        self.remoteAddress = remoteAddress
        self.resourceID = resourceID
        self.health = health
        self.status = status
        self.code = code
        self.latency = latency
        self.checkedAt = checkedAt
        self.consecutiveFailures = consecutiveFailures
        self.method = method
        self.lateness = lateness
        self.certificateExpiry = certificateExpiry
    }
}
