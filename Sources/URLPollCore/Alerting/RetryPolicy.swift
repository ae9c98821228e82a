/// How a failed delivery is tried again: exponential backoff with jitter, bounded in attempts and in
/// the longest pause. A pure value; the caller supplies the randomness.
///
/// The pause after failed attempt `n` (1-based) is `min(firstDelay × 2^(n−1), maxDelay)`, scaled by a
/// factor from 0.5 to 1 ("equal jitter"), so receivers that failed together do not retry in lockstep,
/// and no pause is shorter than half the nominal one.
public struct RetryPolicy: Sendable, Equatable {
    /// Attempts in all, the first included.
    public var attempts: Int
    public var firstDelay: Duration
    public var maxDelay: Duration

    public init(attempts: Int = AlertReceiverSettings.defaultAttempts, firstDelay: Duration = .seconds(1), maxDelay: Duration = .seconds(60)) {
        self.attempts = attempts
        self.firstDelay = firstDelay
        self.maxDelay = maxDelay
    }

    /// The pause before attempt `failedAttempt + 1`, or `nil` when no attempt is left. `jitter` is a
    /// number from 0 to 1.
    public func delay(afterFailedAttempt failedAttempt: Int, jitter: Double) -> Duration? {
        guard failedAttempt < attempts else { return nil }
        let exponent = min(max(0, failedAttempt - 1), 30)
        let nominal = min(firstDelay * (1 << exponent), maxDelay)
        return nominal * (0.5 + 0.5 * min(max(jitter, 0), 1))
    }
}
