import Foundation

/// Everything about alerting one run is configured with: the receivers and the self-check. A pure value.
public struct AlertSettings: Sendable, Equatable {
    public var routing: AlertRouting
    /// When urlpoll suspects its own network and holds `down` announcements back.
    public var selfCheck: ConnectivityJudge.Rule
    /// A URL whose failure alone means "our network is down" (`connectivity-check:`), polled every
    /// recheck interval; `nil` uses the share of failing URLs.
    public var connectivityCheck: TargetURL?
    /// The name announcements carry to say which urlpoll sent them (`instance:`; the host name by default).
    public var instance: String

    public init(
        routing: AlertRouting = AlertRouting(receivers: []),
        selfCheck: ConnectivityJudge.Rule = ConnectivityJudge.Rule(),
        connectivityCheck: TargetURL? = nil,
        instance: String = AlertSettings.defaultInstance
    ) {
        self.routing = routing
        self.selfCheck = selfCheck
        self.connectivityCheck = connectivityCheck
        self.instance = instance
    }

    /// The host name.
    public static var defaultInstance: String { ProcessInfo.processInfo.hostName }

    /// Whether alerting runs at all: some receiver is configured.
    public var isEnabled: Bool { !routing.isEmpty }
}
