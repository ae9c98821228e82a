import Foundation

/// A URL's health as several locations see it: down only when at least `quorum` of them see it down.
/// Pure: made from each location's latest result.
///
/// A location's result counts while it is fresh: checked within ``freshness`` of now (a location whose
/// instances all died, or that was removed, stops voting instead of holding its last view for ever).
/// With fewer fresh locations than the quorum the URL cannot be down: a quorum of 2 watched from one
/// location that sees it down is not an outage, but the page shows that location's view.
public struct QuorumVerdict: Sendable, Equatable {
    /// One location's latest result for the URL.
    public struct View: Sendable, Equatable {
        public var location: String
        public var health: Health
        public var checkedAt: Date
        /// The result's status text there (`"200 OK"`, the error or the failed condition).
        public var status: String

        public init(location: String, health: Health, checkedAt: Date, status: String = "") {
            self.location = location
            self.health = health
            self.checkedAt = checkedAt
            self.status = status
        }
    }

    /// The URL's health: `down` when at least the quorum of fresh views are down, `up` when there are
    /// fresh views but too few of them are down, `pending` when no fresh view has a result.
    public let health: Health
    /// The locations whose fresh view is down, sorted.
    public let downAt: [String]
    /// The locations whose fresh view is up, sorted.
    public let upAt: [String]

    /// - Parameters:
    ///   - views: each location's latest result (one per location).
    ///   - quorum: how many locations must see the URL down (at least 1).
    ///   - freshness: how old a view may be and still count (a few intervals).
    ///   - now: the time of the verdict.
    public init(views: [View], quorum: Int, freshness: Duration, now: Date) {
        let fresh = views.filter { now.timeIntervalSince($0.checkedAt) <= freshness.seconds }
        downAt = fresh.filter { $0.health == .down }.map(\.location).sorted()
        upAt = fresh.filter { $0.health == .up }.map(\.location).sorted()
        if downAt.count >= max(1, quorum) {
            health = .down
        } else if !upAt.isEmpty || !downAt.isEmpty {
            health = .up
        } else {
            health = .pending
        }
    }

    /// How long a location's view counts: three of the URL's intervals (so one late or failed claim
    /// does not drop a location), and never less than a minute.
    public static func freshness(interval: Duration) -> Duration {
        max(interval * 3, .seconds(60))
    }
}
