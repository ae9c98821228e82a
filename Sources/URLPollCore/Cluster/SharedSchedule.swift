import Foundation

/// The schedule several instances share (one row per URL in the database: its next due time and its
/// lease), as the ``ClaimGate`` uses it. The PostgreSQL store implements it; ``MemorySharedSchedule``
/// is the same rules in memory, for tests of the gate and of several gates together.
///
/// Time is the schedule's own (the database server's clock): every time crosses this protocol as a
/// duration from now, so instances whose clocks disagree still agree on who may poll what.
///
/// Contract, with ``LeaseRules``:
/// - ``exchange(claims:releases:)`` first applies the releases (each only if its token is still the
///   URL's current one), then claims each requested URL that is due and not held, atomically per URL:
///   two instances asking for the same URL at once get it at most once between them.
/// - A claim sets the URL's due time to now plus the request's `sleep` (the interval after a success),
///   so a holder that dies before its release never makes the URL due earlier than one interval later.
/// - A URL with a quorum (``CheckOptions/quorum``) has one row per location: a request or release
///   marked ``ClaimRequest/perLocation`` is about the row of the implementation's location (each
///   instance has one), so every location polls it each interval, and instances of one location share
///   it as they share the others.
/// - May throw when the schedule cannot be reached; nothing is claimed or released then.
public protocol SharedSchedule: Sendable {
    func exchange(claims: [ClaimRequest], releases: [LeaseRelease]) async throws -> ClaimAnswer
}

/// A URL an instance would poll now, if it may.
public struct ClaimRequest: Sendable, Equatable {
    public let url: String
    /// The due time a claim sets (from now): the sleep after a successful poll.
    public let sleep: Duration
    /// How long the claim holds the URL (``LeaseRules/lease(timeout:)``).
    public let lease: Duration
    /// Whether the claim is for this location's row (a URL with a quorum) rather than the URL's one row.
    public let perLocation: Bool

    public init(url: String, sleep: Duration, lease: Duration, perLocation: Bool = false) {
        self.url = url
        self.sleep = sleep
        self.lease = lease
        self.perLocation = perLocation
    }
}

/// The end of a poll made under a claim: the URL is free again, due after `wait` (from the moment the
/// release is applied), with `failures` failures in a row.
public struct LeaseRelease: Sendable, Equatable {
    public let url: String
    public let token: Int64
    public let wait: Duration
    public let failures: Int
    /// Whether the claim was for this location's row (see ``ClaimRequest/perLocation``).
    public let perLocation: Bool

    public init(url: String, token: Int64, wait: Duration, failures: Int, perLocation: Bool = false) {
        self.url = url
        self.token = token
        self.wait = wait
        self.failures = failures
        self.perLocation = perLocation
    }
}

/// What a claim got: the URLs this instance may poll now, and for the others how long until they may be
/// claimed again (their due time, or the end of another instance's lease).
public struct ClaimAnswer: Sendable, Equatable {
    public struct Claim: Sendable, Equatable {
        /// The claim's token: the release must carry it.
        public let token: Int64
        /// The URL's failures in a row as the last recorded poll left them (by whichever instance).
        public let failures: Int

        public init(token: Int64, failures: Int) {
            self.token = token
            self.failures = failures
        }
    }

    public var claimed: [String: Claim]
    /// Requested URLs not claimed, with the time until they are worth asking for again: their due time
    /// (a holder's claim already set the next one), or, once that has passed under a lease, the lease's
    /// end (zero: another claim is committing).
    public var deferred: [String: Duration]

    public init(claimed: [String: Claim] = [:], deferred: [String: Duration] = [:]) {
        self.claimed = claimed
        self.deferred = deferred
    }
}

/// ``SharedSchedule`` in memory, on an injected clock: the rules the database applies, for tests of one
/// or several ``ClaimGate``s without a database. Not a production store: it dies with the process.
public actor MemorySharedSchedule: SharedSchedule {
    struct Row {
        var dueAt: ContinuousClock.Instant
        var leaseEnd: ContinuousClock.Instant?
        var token: Int64 = 0
        var failures = 0
    }

    /// A URL's row: `location` is empty for the one row of a URL without a quorum.
    struct Key: Hashable {
        let url: String
        let location: String
    }

    private var rows: [Key: Row] = [:]
    private let clock: any AlarmClock
    private let rules = LeaseRules()
    /// Every claim granted, in order, for tests (`location` empty for a URL's one row).
    public private(set) var grants: [(url: String, token: Int64, at: ContinuousClock.Instant, location: String)] = []
    /// When set, every exchange throws (an unreachable database).
    public var isDown = false

    public init(clock: any AlarmClock) {
        self.clock = clock
    }

    public func setDown(_ down: Bool) {
        isDown = down
    }

    /// This schedule as an instance in `location` uses it (its per-location rows are that location's).
    public nonisolated func at(_ location: String) -> some SharedSchedule {
        LocatedSchedule(schedule: self, location: location)
    }

    private struct LocatedSchedule: SharedSchedule {
        let schedule: MemorySharedSchedule
        let location: String

        func exchange(claims: [ClaimRequest], releases: [LeaseRelease]) async throws -> ClaimAnswer {
            try await schedule.exchange(claims: claims, releases: releases, location: location)
        }
    }

    public func exchange(claims: [ClaimRequest], releases: [LeaseRelease]) throws -> ClaimAnswer {
        try exchange(claims: claims, releases: releases, location: "")
    }

    func exchange(claims: [ClaimRequest], releases: [LeaseRelease], location: String) throws -> ClaimAnswer {
        struct Unreachable: Error {}
        if isDown { throw Unreachable() }
        let now = clock.now
        for release in releases {
            let key = Key(url: release.url, location: release.perLocation ? location : "")
            guard let row = rows[key], rules.mayRelease(token: release.token, current: row.token) else { continue }
            rows[key]?.leaseEnd = nil
            rows[key]?.dueAt = now + release.wait
            rows[key]?.failures = release.failures
        }
        var answer = ClaimAnswer()
        for request in claims {
            let key = Key(url: request.url, location: request.perLocation ? location : "")
            var row = rows[key] ?? Row(dueAt: now)
            if rules.isClaimable(dueAt: row.dueAt, leaseEnd: row.leaseEnd, now: now) {
                row.token += 1
                row.leaseEnd = now + request.lease
                row.dueAt = now + request.sleep
                answer.claimed[request.url] = .init(token: row.token, failures: row.failures)
                grants.append((request.url, row.token, now, key.location))
            } else {
                answer.deferred[request.url] = rules.askAgain(dueAt: row.dueAt, leaseEnd: row.leaseEnd, now: now) - now
            }
            rows[key] = row
        }
        return answer
    }
}
