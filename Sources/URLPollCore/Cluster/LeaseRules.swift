import Foundation

/// The rules of the schedule several instances share through one database: when a URL may be claimed,
/// how long a claim holds it, whose release counts, and when a URL not won is worth asking for again.
/// Pure: every time is given (any comparable instant: the server's milliseconds, a test's virtual
/// clock), so the rules are tested without a database or a clock. ``MemorySharedSchedule`` applies them
/// as they are; the PostgreSQL schedule applies the same conditions in its statements.
///
/// The guarantees they give, together with the database's row locks (`FOR UPDATE SKIP LOCKED`):
/// - **One poll at a time**: a URL is claimable only when it is due and no live lease holds it. A
///   lease lasts longer than any poll can (``lease(timeout:)``), so it ends before the next holder's
///   poll starts, unless the holder was stopped for longer than the margin.
/// - **One release per claim**: each claim has a token that grows with every claim of the URL; a
///   release counts only with the current token (``mayRelease(token:current:)``), so an instance that
///   lost its lease (it stalled, or was thought dead) cannot free its successor's claim.
/// - **Not more often than the interval**: a claim sets the next due time one interval ahead, and the
///   release sets it to the end of the poll plus the single-instance scheduler's sleep (``SleepPolicy``,
///   with its recheck while an outage is unconfirmed), so however many instances run, a URL sleeps as it
///   would with one.
/// - **Survival**: a dead instance's leases simply end; its URLs are claimable by the others at their
///   next due time, or when the lease ends if that is later.
public struct LeaseRules: Sendable, Equatable {
    /// What a lease adds to a poll's timeout: time for the result to reach the database in the next
    /// batch, and for the holder's clock to disagree a little with the others'.
    public var margin: Duration

    public static let defaultMargin: Duration = .seconds(10)

    public init(margin: Duration = defaultMargin) {
        self.margin = margin
    }

    /// How long a claim holds a URL whose poll takes at most `timeout`: one poll's time to wait for a
    /// free poller (a claim asks for no more than the pollers take in one round), the poll, and the margin.
    public func lease(timeout: Duration) -> Duration {
        timeout * 2 + margin
    }

    /// Whether a URL may be claimed at `now`: it is due, and no lease holds it (none was taken, it was
    /// released, or it ran out because its holder died or stalled).
    public func isClaimable<Instant: Comparable>(dueAt: Instant, leaseEnd: Instant?, now: Instant) -> Bool {
        dueAt <= now && (leaseEnd.map { $0 <= now } ?? true)
    }

    /// When a URL that is not claimable at `now` is worth asking for again: its due time while that is
    /// ahead (a holder's claim has set the next one already), else the end of the lease that holds it.
    public func askAgain<Instant: Comparable>(dueAt: Instant, leaseEnd: Instant?, now: Instant) -> Instant {
        dueAt > now ? dueAt : leaseEnd ?? dueAt
    }

    /// Whether a release counts: it comes from the claim that holds the URL now.
    public func mayRelease(token: Int64, current: Int64) -> Bool {
        token == current
    }

    /// How many URLs an instance asks for in one claim: enough to keep its pollers busy through a few
    /// round trips with the database (four rounds of its pollers, less what it holds), at least none
    /// and at most `limit` a statement.
    public func claimSize(pollers: Int, held: Int, limit: Int = 1_000) -> Int {
        max(0, min(limit, 4 * pollers - held))
    }
}
