import Foundation

/// Every URL's uptime, as reports show it: recomputed from the store's timelines (by the
/// ``HistoryWriter``, every minute and after each rollup) and read by reports without touching the store,
/// so a page or `/api/status` of 100,000 URLs costs a dictionary lookup per URL.
///
/// The figures are at most one refresh old (a minute by default): "24h" is the 24 hours before the last
/// refresh.
public actor UptimeBoard {
    private var byURL: [String: Uptime] = [:]
    public private(set) var refreshedAt: Date?

    public init() {}

    /// Replaces every figure with ones computed from `timelines` at `now`.
    public func refresh(from timelines: [String: Timeline], now: Date) {
        byURL = timelines.mapValues { UptimeArithmetic.uptime(coverage: $0.coverage, down: $0.down, now: now) }
        refreshedAt = now
    }

    /// The uptime of each of `urls` (``Uptime/unknown`` for a URL with no known time).
    public func uptime(of urls: [String]) -> [Uptime] {
        urls.map { byURL[$0] ?? .unknown }
    }
}
