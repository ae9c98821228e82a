import Histogram

/// Running figures about the polls themselves (not the URLs): counts, latency and lateness
/// distributions, and when the first full round ended.
///
/// A pure value type owned by the ``StateMonitor``, the single place every ``State`` passes through, so
/// collecting them needs no lock. Recording a poll allocates nothing: the histograms have fixed size
/// (microsecond resolution up to one hour, two significant digits).
public struct PollStatistics: Sendable {
    /// Polls recorded.
    public private(set) var polls = 0
    /// Polls whose result was up.
    public private(set) var ok = 0
    /// Polls whose result was down (and so grew the URL's failure count).
    public private(set) var errors = 0
    /// Polls answered with a status outside 200–299.
    public private(set) var non2xx = 0
    /// Request durations, in microseconds.
    public private(set) var latency = Self.histogram()
    /// How late polls that followed a sleep started after their due time, in microseconds.
    public private(set) var lateness = Self.histogram()
    /// URLs polled at least once.
    public private(set) var urlsPolled = 0
    /// When every URL had been polled once (measured from the monitor's start), if that happened.
    public private(set) var firstRoundDone: Duration?

    private let urlCount: Int
    private let start: ContinuousClock.Instant

    public init(urlCount: Int, start: ContinuousClock.Instant) {
        self.urlCount = urlCount
        self.start = start
    }

    private static func histogram() -> Histogram<UInt64> {
        Histogram(highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: .two)
    }

    /// Records one poll. `isFirstPoll` says whether it was the URL's first in this run.
    public mutating func record(_ state: State, isFirstPoll: Bool, at now: ContinuousClock.Instant) {
        polls += 1
        if state.health == .up { ok += 1 } else { errors += 1 }
        if let code = state.code, !(200...299).contains(code) { non2xx += 1 }
        _ = latency.record(Self.microseconds(state.latency))
        if let late = state.lateness { _ = lateness.record(Self.microseconds(late)) }
        if isFirstPoll {
            urlsPolled += 1
            if urlsPolled == urlCount { firstRoundDone = now - start }
        }
    }

    static func microseconds(_ duration: Duration) -> UInt64 {
        UInt64(min(max(0, duration.wholeMicroseconds), 3_600_000_000))
    }
}
