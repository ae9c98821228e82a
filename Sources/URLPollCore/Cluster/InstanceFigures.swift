/// What one instance sharing a database has done, as it last told the others (with its heartbeat):
/// the figures a fleet's `/metrics` and `/api/instances` show per instance.
public struct InstanceFigures: Sendable, Equatable {
    /// Polls made since the instance started.
    public var polls: Int
    /// The 99th percentile of how late its polls started after they were due (`nil` before any).
    public var latenessP99: Duration?
    /// URLs it holds a lease on now (claimed, waiting for a poller or being polled).
    public var leasesHeld: Int
    /// Round trips with the shared schedule (claims with the releases riding on them).
    public var claimRoundTrips: Int

    public init(polls: Int = 0, latenessP99: Duration? = nil, leasesHeld: Int = 0, claimRoundTrips: Int = 0) {
        self.polls = polls
        self.latenessP99 = latenessP99
        self.leasesHeld = leasesHeld
        self.claimRoundTrips = claimRoundTrips
    }
}
