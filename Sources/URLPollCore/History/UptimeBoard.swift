import Foundation

/// Every URL's uptime, as reports show it, current to the moment of the report (``CurrentUptime``): the
/// figures recomputed from the store's timelines (by the ``HistoryWriter``, every minute and after each
/// rollup), plus what each batch the writer stored since says. Reports read it without touching the
/// store, so a page or `/api/status` of 100,000 URLs costs a dictionary lookup per URL.
public actor UptimeBoard {
    private var figures = CurrentUptime()
    /// Events taken in by ``record(_:)`` so far.
    public private(set) var recorded = 0
    /// When the stored figures were last recomputed.
    public var refreshedAt: Date? { figures.refreshedAt }

    public init() {}

    /// Replaces the stored figures with ones computed from `timelines` (by URL as configured) at `now`.
    public func refresh(from timelines: [String: Timeline], now: Date) {
        figures.refresh(from: timelines, now: now)
    }

    /// Takes in a batch the writer stored.
    public func record(_ batch: [HistoryEvent]) {
        figures.record(batch)
        recorded += batch.count
    }

    /// Returns once `count` events are recorded, or after `limit` (real time) without them: a final
    /// report waits here for the writer to store the last polls, never longer than `limit`.
    public func waitUntilRecorded(_ count: Int, within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while recorded < count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    /// The uptime of each of `urls` (as configured) up to `now`; ``Uptime/unknown`` for a URL with no
    /// known time.
    public func uptime(of urls: [String], now: Date = Date()) -> [Uptime] {
        urls.map { figures.uptime(of: $0, now: now) }
    }
}
