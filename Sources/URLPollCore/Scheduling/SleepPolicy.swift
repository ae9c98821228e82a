/// How long a completed ``Resource`` sleeps before it is pending again:
/// `interval + min(errorBackoff × consecutiveFailures, maxBackoff)`.
///
/// A pure value: no clock, no I/O.
public struct SleepPolicy: Sendable, Equatable {
    /// The pause after a successful poll (and the base of every pause). Zero means "poll again at once".
    public var interval: Duration
    /// The extra pause per consecutive failure.
    public var errorBackoff: Duration
    /// The most extra pause that failures can add.
    public var maxBackoff: Duration

    public init(interval: Duration, errorBackoff: Duration, maxBackoff: Duration) {
        self.interval = interval
        self.errorBackoff = errorBackoff
        self.maxBackoff = maxBackoff
    }

    /// The sleep after a poll that left the resource with `consecutiveFailures` failures in a row.
    public func sleep(afterConsecutiveFailures failures: Int) -> Duration {
        interval + backoff(afterConsecutiveFailures: failures)
    }

    /// The sleep after a poll, with `confirmation`'s quick recheck while an outage is unconfirmed.
    public func sleep(afterConsecutiveFailures failures: Int, confirmation: Confirmation?) -> Duration {
        confirmation?.recheckPause(afterConsecutiveFailures: failures, interval: interval) ?? sleep(afterConsecutiveFailures: failures)
    }

    /// The extra pause that failures add: `min(errorBackoff × failures, maxBackoff)`, never negative.
    public func backoff(afterConsecutiveFailures failures: Int) -> Duration {
        guard failures > 0, errorBackoff > .zero, maxBackoff > .zero else { return .zero }
        // Compare in floating point first so that huge failure counts cannot overflow the product.
        if Double(failures) >= maxBackoff / errorBackoff { return maxBackoff }
        return min(errorBackoff * failures, maxBackoff)
    }

    /// When the second poll of a URL may start at the earliest, so that second polls spread evenly over
    /// one interval instead of replaying the burst of the first round.
    ///
    /// The first round polls every URL as fast as the pollers allow. URL number `position` of `count`
    /// then gets the slot `firstRoundStart + interval × (1 + position / count)`; its second poll starts at
    /// the later of that slot and the end of its normal sleep. After that, each URL keeps its phase, as
    /// every sleep starts at the end of a poll. Never earlier than the normal sleep, so a URL is never
    /// polled more often than ``interval`` allows; at most one interval later, once. `nil` at interval 0.
    public func spreadSlot(position: Int, count: Int, firstRoundStart: ContinuousClock.Instant) -> ContinuousClock.Instant? {
        guard interval > .zero, count > 1 else { return nil }
        return firstRoundStart + interval + interval * (Double(position) / Double(count))
    }
}
