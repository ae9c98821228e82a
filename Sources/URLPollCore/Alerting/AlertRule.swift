/// When one receiver hears about one URL: the thresholds and reminders that apply to the pair.
///
/// Resolved from the receiver's settings and the URL's own overrides (``AlertRouting``). A pure value.
public struct AlertRule: Sendable, Equatable {
    /// The receiver's name.
    public let receiver: String
    /// Failed polls in a row before `down` is announced.
    public let failureThreshold: Int
    /// Successful polls in a row before `recovered` is announced.
    public let successThreshold: Int
    /// Re-announce (`reminder`) this often while the URL stays down; `nil` never.
    public let repeatInterval: Duration?
    /// Whether `recovered` is sent at all.
    public let sendOnRecovery: Bool

    public static let defaultFailureThreshold = 3
    public static let defaultSuccessThreshold = 2
    /// The range both thresholds may take.
    public static let thresholdRange = 1...1000

    public init(
        receiver: String,
        failureThreshold: Int = AlertRule.defaultFailureThreshold,
        successThreshold: Int = AlertRule.defaultSuccessThreshold,
        repeatInterval: Duration? = nil,
        sendOnRecovery: Bool = true
    ) {
        self.receiver = receiver
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
        self.repeatInterval = repeatInterval
        self.sendOnRecovery = sendOnRecovery
    }
}
