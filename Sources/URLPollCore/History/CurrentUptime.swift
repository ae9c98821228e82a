import Foundation

/// Every URL's uptime up to the moment it is asked for: the figures computed from the store at the last
/// refresh, plus the known time since, as the polls recorded since then tell it. Pure: time is what the
/// caller passes.
///
/// - ``refresh(from:now:)`` replaces the stored part: known and up seconds per window ending at `now`,
///   from the store's timelines (``UptimeArithmetic``). The part since the last refresh starts again.
/// - ``record(_:)`` takes in what the writer stored: a URL's time becomes known at its first poll of the
///   run, each poll's health holds until the next poll, and a removal ends its known time, exactly as
///   the store counts coverage and outages.
/// - ``uptime(of:now:)`` adds the two: a window's figure covers the window before the last refresh and
///   the time since (so the "1h" figure of a report two minutes after a refresh covers 62 minutes). A run
///   that never refreshed (its first minute) shows what it saw itself: a URL polled for three seconds,
///   always up, is 100 % up.
///
/// Events stored before the refresh read the store (the writer writes and refreshes in two tasks) are
/// already in its figures: their time is not counted again, only their health carries on.
public struct CurrentUptime: Sendable {
    /// Known and up seconds of one URL in each ``Uptime/Window`` (in ``Uptime/Window`` order).
    struct Times: Sendable, Equatable {
        var known = SIMD4<Double>()
        var up = SIMD4<Double>()
    }

    /// One URL: its stored times, and what it has been since the last refresh.
    struct Entry: Sendable {
        var stored = Times()
        /// Its health from ``since`` on; `nil` while its state is unknown (not polled in this run, or removed).
        var health: Health?
        /// The end of what is counted already.
        var since: TimeInterval
        /// Known and up seconds since the last refresh, up to ``since``.
        var known: Double = 0
        var up: Double = 0

        /// Counts the time from ``since`` to `time` with the current health; an earlier `time` counts nothing.
        mutating func advance(to time: TimeInterval) {
            guard time > since else { return }
            if let health {
                known += time - since
                if health == .up { up += time - since }
            }
            since = time
        }
    }

    private var entries: [String: Entry] = [:]
    /// When the stored part was computed; `nil` before the first refresh.
    public private(set) var refreshedAt: Date?

    public init() {}

    /// Replaces the stored part with the figures of `timelines` (by URL as configured) at `now`.
    public mutating func refresh(from timelines: [String: Timeline], now: Date) {
        let end = now.timeIntervalSince1970
        for key in Array(entries.keys) {
            var entry = entries[key]!
            entry.advance(to: end)
            if let timeline = timelines[key] {
                entry.stored = Self.times(timeline, end: end)
            } else {
                // Not in the store's figures (its first batch was stored after they were read): what this
                // run saw of it stays.
                entry.stored.known += SIMD4(repeating: entry.known)
                entry.stored.up += SIMD4(repeating: entry.up)
            }
            entry.known = 0
            entry.up = 0
            entries[key] = entry
        }
        for (key, timeline) in timelines where entries[key] == nil {
            entries[key] = Entry(stored: Self.times(timeline, end: end), since: end)
        }
        refreshedAt = now
    }

    /// Takes in the events of one stored batch, in order.
    public mutating func record(_ events: [HistoryEvent]) {
        for event in events {
            switch event {
            case .polled(let poll):
                let key = poll.url.configured
                let time = poll.checkedAt.timeIntervalSince1970
                var entry = entries[key] ?? Entry(since: time)
                if poll.isFirstInRun {
                    // Time before a run's first poll is unknown, whatever the URL was when last seen.
                    entry.health = nil
                }
                entry.advance(to: time)
                entry.health = poll.health == .pending ? nil : poll.health
                entries[key] = entry
            case .removed(let url, let at):
                guard var entry = entries[url.configured] else { continue }
                entry.advance(to: at.timeIntervalSince1970)
                entry.health = nil
                entries[url.configured] = entry
            }
        }
    }

    /// The uptime of `url` (as configured) up to `now`; ``Uptime/unknown`` for a URL with no known time.
    public func uptime(of url: String, now: Date) -> Uptime {
        guard var entry = entries[url] else { return .unknown }
        entry.advance(to: now.timeIntervalSince1970)
        let known = entry.stored.known + SIMD4(repeating: entry.known)
        let up = entry.stored.up + SIMD4(repeating: entry.up)
        return Uptime(ratios: (0..<Uptime.Window.allCases.count).map { known[$0] > 0 ? min(1, max(0, up[$0] / known[$0])) : nil })
    }

    /// Known and up seconds of `timeline` in each window ending at `end`.
    static func times(_ timeline: Timeline, end: TimeInterval) -> Times {
        var times = Times()
        for (index, window) in Uptime.Window.allCases.enumerated() {
            let span = UptimeArithmetic.time(
                coverage: timeline.coverage,
                down: timeline.down,
                within: UptimeArithmetic.Span(start: end - window.duration, end: end)
            )
            times.known[index] = span.known
            times.up[index] = span.up
        }
        return times
    }
}
