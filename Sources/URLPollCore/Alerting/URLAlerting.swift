/// A URL's own alert settings (`receivers:`, `failure-threshold:`, `success-threshold:` in its entry or
/// in `defaults:`); `nil` leaves each to the receivers. A pure value.
public struct URLAlerting: Sendable, Equatable {
    /// The receivers that hear about this URL, by name; `nil` means those whose `urls:` cover it.
    public var receivers: [String]?
    public var failureThreshold: Int?
    public var successThreshold: Int?

    public init(receivers: [String]? = nil, failureThreshold: Int? = nil, successThreshold: Int? = nil) {
        self.receivers = receivers
        self.failureThreshold = failureThreshold
        self.successThreshold = successThreshold
    }
}
