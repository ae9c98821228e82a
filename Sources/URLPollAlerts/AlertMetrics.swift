import CoreMetrics

/// Alerting's metrics, through swift-metrics: `urlpoll_alert_deliveries_total{receiver, outcome}`
/// (outcome `delivered`, `retried` or `failed`) and `urlpoll_self_check_suspected` (1 while urlpoll
/// suspects its own network). Every handle is made once. Thread-safe.
package struct AlertMetrics: Sendable {
    private let deliveries: [String: [DeliveryOutcome: Counter]]
    private let suspected: Gauge

    package enum DeliveryOutcome: String, Sendable, CaseIterable {
        case delivered, retried, failed
    }

    package init(receivers: [String], factory: any MetricsFactory) {
        var deliveries: [String: [DeliveryOutcome: Counter]] = [:]
        for receiver in receivers {
            for outcome in DeliveryOutcome.allCases {
                deliveries[receiver, default: [:]][outcome] = Counter(
                    label: "urlpoll_alert_deliveries_total",
                    dimensions: [("receiver", receiver), ("outcome", outcome.rawValue)],
                    factory: factory
                )
            }
        }
        self.deliveries = deliveries
        suspected = Gauge(label: "urlpoll_self_check_suspected", factory: factory)
        suspected.record(0)
    }

    func count(_ outcome: DeliveryOutcome, receiver: String) {
        deliveries[receiver]?[outcome]?.increment()
    }

    func setSuspected(_ value: Bool) {
        suspected.record(value ? 1 : 0)
    }
}
