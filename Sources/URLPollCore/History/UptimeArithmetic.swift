import Foundation

/// The arithmetic of honest uptime. Pure.
///
/// A URL's time falls in three kinds: *unknown* (urlpoll was not running, or the URL was not yet polled
/// or not in the list), *down* (known, and the URL's last poll was down) and *up* (known, and up).
/// ``coverage`` says when the state was known (from a URL's first poll in a run until the run ended,
/// or the URL was removed), ``down`` when it was down (its outages, from the poll that went down to the
/// poll that came back). Uptime over a window is up ÷ known within it, where down counts only where it
/// is also known.
///
/// Robust to clock changes, which can make an interval end before it starts or two runs' intervals
/// overlap: an interval with a negative length counts as empty, overlapping coverage is merged before it
/// is summed (known time is never counted twice), and down time is always clipped to known time, so the
/// share is always from 0 to 1 and no duration is ever negative.
public enum UptimeArithmetic {
    /// A span of time, in seconds since the reference date (what the store keeps).
    public struct Span: Sendable, Equatable {
        public var start: TimeInterval
        public var end: TimeInterval

        public init(start: TimeInterval, end: TimeInterval) {
            self.start = start
            self.end = end
        }

        public init(_ start: Date, _ end: Date) {
            self.init(start: start.timeIntervalSince1970, end: end.timeIntervalSince1970)
        }
    }

    /// Known and up time (seconds) within `window`.
    public static func time(coverage: [Span], down: [Span], within window: Span) -> (known: TimeInterval, up: TimeInterval) {
        let known = merged(coverage.compactMap { clip($0, to: window) })
        let knownTime = known.reduce(0) { $0 + ($1.end - $1.start) }
        guard knownTime > 0 else { return (0, 0) }
        // Down time within known time: each outage clipped to each known span (both lists are disjoint
        // after merging, so no part is counted twice).
        let outages = merged(down.compactMap { clip($0, to: window) })
        var downTime: TimeInterval = 0
        for outage in outages {
            for span in known {
                let overlap = min(outage.end, span.end) - max(outage.start, span.start)
                if overlap > 0 { downTime += overlap }
            }
        }
        return (knownTime, max(0, knownTime - min(downTime, knownTime)))
    }

    /// Up ÷ known within `window`, or `nil` when nothing is known there.
    public static func ratio(coverage: [Span], down: [Span], within window: Span) -> Double? {
        let (known, up) = time(coverage: coverage, down: down, within: window)
        guard known > 0 else { return nil }
        return min(1, max(0, up / known))
    }

    /// The uptime over every ``Uptime/Window`` ending at `now`.
    public static func uptime(coverage: [Span], down: [Span], now: Date) -> Uptime {
        let end = now.timeIntervalSince1970
        return Uptime(
            ratios: Uptime.Window.allCases.map { window in
                ratio(coverage: coverage, down: down, within: Span(start: end - window.duration, end: end))
            }
        )
    }

    /// `span` cut to `window`, or `nil` when nothing of it lies there (or it ends before it starts).
    static func clip(_ span: Span, to window: Span) -> Span? {
        let start = max(span.start, window.start)
        let end = min(span.end, window.end)
        return end > start ? Span(start: start, end: end) : nil
    }

    /// Non-empty spans, sorted and with overlapping or touching ones joined.
    static func merged(_ spans: [Span]) -> [Span] {
        var result: [Span] = []
        for span in spans.sorted(by: { $0.start < $1.start }) where span.end > span.start {
            if let last = result.last, span.start <= last.end {
                result[result.count - 1].end = max(last.end, span.end)
            } else {
                result.append(span)
            }
        }
        return result
    }
}
