import Foundation
import URLPollCore

/// Posts to a Prometheus Alertmanager's v2 API (`<url>/api/v2/alerts`, a JSON array of one alert).
///
/// The alert's identity is its label set: `alertname="URLDown"`, `url`, `name` (when the URL has one),
/// `instance`. A `down` or `reminder` fires it with `startsAt` (the outage's start) and `endsAt` four
/// resend periods ahead, so that an urlpoll that dies lets it expire; the receiver re-sends it every
/// `repeat` (one minute at most) while the outage lasts, as Alertmanager expects. `recovered` sends the
/// same labels with `endsAt` at the recovery, which resolves it. A `test` fires `URLPollTest` for five
/// minutes.
struct AlertmanagerReceiver: Receiver {
    let name: String
    let url: Secret<String>
    let headers: [HeaderField]
    let resend: Duration
    let instance: String
    let timeout: Duration
    let http: ReceiverHTTPClient

    struct PostableAlert: Encodable {
        let labels: [String: String]
        let annotations: [String: String]
        let startsAt: String
        let endsAt: String
    }

    func body(_ event: AlertEvent, sentAt: Date) -> [UInt8] {
        var labels = ["alertname": event.kind == .test ? "URLPollTest" : "URLDown", "url": event.url, "instance": instance]
        if let name = event.name { labels["name"] = name }
        let ends: Date
        switch event.kind {
        case .recovered: ends = event.endedAt ?? sentAt
        case .test: ends = sentAt.addingTimeInterval(300)
        case .down, .reminder: ends = sentAt.addingTimeInterval(4 * resend.seconds)
        }
        let alert = PostableAlert(
            labels: labels,
            annotations: ["summary": "\(event.displayName) is \(event.kind == .recovered ? "up" : "down")", "status": event.status],
            startsAt: Timestamp.rfc3339(event.since),
            endsAt: Timestamp.rfc3339(ends)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode([alert])) ?? Data("[]".utf8))
    }

    func deliver(_ event: AlertEvent, sentAt: Date) async throws(DeliveryError) {
        let base = url.revealed
        let endpoint = Secret((base.hasSuffix("/") ? String(base.dropLast()) : base) + "/api/v2/alerts")
        try await http.post(
            body(event, sentAt: sentAt),
            to: endpoint,
            fields: [("Content-Type", "application/json")],
            headers: headers,
            timeout: timeout
        )
    }
}
