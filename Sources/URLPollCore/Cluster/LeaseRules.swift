import Foundation

/// The rules of the schedule several instances share through one database: when a URL may be claimed,
/// how long a claim holds it, when it is due again, and whose result counts. Pure: every time is given,
/// so the rules are tested without a database or a clock; the PostgreSQL schedule applies them in its
/// statements.
///
/// The guarantees they give, together with the database's row locks (`FOR UPDATE SKIP LOCKED`):
/// - **One poll at a time**: a URL is claimable only when it is due and no live lease holds it. A
///   lease lasts longer than any poll can (``leaseEnd(claimedAt:timeout:)``), so it ends before the
///   next holder's poll starts, unless the holder was stopped for longer than the margin (then its late
///   result is refused: see the next point).
/// - **One result per claim**: each claim has a token that grows with every claim of the URL; a result
///   is recorded only with the current token (``mayRecord(token:current:)``), so an instance that lost
///   its lease (it stalled, or was thought dead) cannot overwrite its successor's state or announce an
///   event twice.
/// - **Not more often than the interval**: the due time is set, with the result, to the end of the
///   poll plus the same sleep as the single-instance scheduler (``SleepPolicy``, with its recheck while
///   an outage is unconfirmed), so however many instances run, a URL sleeps as it would with one.
/// - **Survival**: a dead instance's leases simply end; its URLs are claimable by the others one lease
///   period after its last claim at the latest.
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

    /// When a claim made at `claimedAt` ends, for a URL whose poll takes at most `timeout`.
    public func leaseEnd(claimedAt: Date, timeout: Duration) -> Date {
        claimedAt.addingTimeInterval(lease(timeout: timeout).seconds)
    }

    /// Whether a URL may be claimed at `now`: it is due, and no lease holds it (none was taken, it was
    /// released, or it ran out because its holder died or stalled).
    public func isClaimable(dueAt: Date, leaseEnd: Date?, now: Date) -> Bool {
        dueAt <= now && (leaseEnd.map { $0 <= now } ?? true)
    }

    /// Whether a result may be recorded: it comes from the claim that holds the URL now.
    public func mayRecord(token: Int64, current: Int64) -> Bool {
        token == current
    }

    /// When a URL whose poll ended at `completedAt`, leaving `failures` failures in a row, is due again:
    /// the same sleep the single-instance scheduler gives it.
    public func nextDue(completedAt: Date, failures: Int, policy: SleepPolicy, confirmation: Confirmation?) -> Date {
        completedAt.addingTimeInterval(policy.sleep(afterConsecutiveFailures: failures, confirmation: confirmation).seconds)
    }

    /// How many URLs an instance asks for in one claim: enough to keep its pollers busy through a few
    /// round trips with the database (four rounds of its pollers, less what it holds), at least none
    /// and at most `limit` a statement.
    public func claimSize(pollers: Int, held: Int, limit: Int = 1_000) -> Int {
        max(0, min(limit, 4 * pollers - held))
    }
}
