/// "Confirm fast, then back off": while a URL has failed fewer than ``failures`` polls in a row (its
/// alert threshold), it is polled again after ``recheck`` (never later than its interval) instead of
/// after its interval plus backoff, so an outage is confirmed or dismissed quickly; from the threshold
/// on, the normal backoff applies. A pure value.
public struct Confirmation: Sendable, Equatable {
    /// The failures in a row that confirm an outage.
    public let failures: Int
    /// The pause between polls until then.
    public let recheck: Duration

    /// The default `recheck-interval`.
    public static let defaultRecheck: Duration = .seconds(10)

    public init(failures: Int, recheck: Duration) {
        self.failures = failures
        self.recheck = recheck
    }

    /// The pause after a poll that left `consecutiveFailures`, if the outage is still unconfirmed;
    /// `nil` when the normal sleep applies.
    public func recheckPause(afterConsecutiveFailures consecutiveFailures: Int, interval: Duration) -> Duration? {
        guard consecutiveFailures > 0, consecutiveFailures < failures else { return nil }
        return min(recheck, interval)
    }
}
