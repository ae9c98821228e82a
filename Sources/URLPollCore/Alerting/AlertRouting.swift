/// Which receivers hear about which URL, with which thresholds: the receivers' settings combined with
/// each URL's own (`receivers:`, `failure-threshold:`, `success-threshold:`). A pure value.
public struct AlertRouting: Sendable, Equatable {
    public let receivers: [AlertReceiverSettings]

    public init(receivers: [AlertReceiverSettings]) {
        self.receivers = receivers
    }

    /// Whether any receiver is configured.
    public var isEmpty: Bool { receivers.isEmpty }

    /// The rules for the URL `url` checked with `options`: one per receiver that hears about it. A URL
    /// that names its receivers gets exactly those (their `urls:` patterns do not apply); otherwise it
    /// gets every receiver whose patterns cover its URL or name.
    public func rules(url: TargetURL, options: CheckOptions) -> [AlertRule] {
        receivers.compactMap { receiver in
            if let chosen = options.alerting.receivers {
                guard chosen.contains(receiver.name) else { return nil }
            } else if !receiver.covers(url: url, name: options.name) {
                return nil
            }
            return AlertRule(
                receiver: receiver.name,
                failureThreshold: options.alerting.failureThreshold ?? receiver.failureThreshold,
                successThreshold: options.alerting.successThreshold ?? receiver.successThreshold,
                repeatInterval: receiver.repeatInterval,
                sendOnRecovery: receiver.sendOnRecovery
            )
        }
    }

    /// The failures after which a URL is no longer rechecked quickly: its own `failure-threshold`, else
    /// the smallest of the receivers'; `nil` without receivers (no recheck).
    public func confirmationThreshold(options: CheckOptions) -> Int? {
        guard !receivers.isEmpty else { return nil }
        return options.alerting.failureThreshold ?? receivers.map(\.failureThreshold).min()
    }
}
