import Foundation
import URLPollCore

/// The values a template may use, for one event: `{{event}}`, `{{url}}`, `{{name}}` (the name, else the
/// URL), `{{status}}`, `{{code}}`, `{{since}}`, `{{ended_at}}`, `{{outage}}` (`5m 20s`), `{{outage_seconds}}`,
/// `{{failures}}`, `{{instance}}`, `{{sent_at}}`, `{{decided_at}}`, `{{idempotency_key}}`, `{{receiver}}`,
/// ready-made `{{title}}`, `{{summary}}` and `{{details}}`, presentation helpers (`{{emoji}}`, `{{color}}`,
/// `{{tag}}`, `{{priority}}`), PagerDuty's `{{action}}` (trigger or resolve) and `{{dedup_key}}`, the
/// receiver's `{{routing_key}}`, `{{topic}}` and `{{severity}}`, and the sections `{{#is_down}}`,
/// `{{#is_recovered}}`, `{{#is_reminder}}`, `{{#is_test}}`, `{{#is_trigger}}`. Documented in docs/alerts.md.
enum TemplateContext {
    static func values(for event: AlertEvent, instance: String, sentAt: Date, variables: [String: String]) -> [String: Any] {
        let outage = event.outageDuration(now: sentAt)
        let what = event.displayName
        let title: String
        let summary: String
        switch event.kind {
        case .down:
            title = "\(what) is down"
            summary = "\(what) is down: \(event.status) (\(event.failures) failed polls)"
        case .recovered:
            title = "\(what) is up again"
            summary = "\(what) is up again after \(DurationFormat.format(.seconds(outage.rounded())))"
        case .reminder:
            title = "\(what) is still down"
            summary = "\(what) is still down after \(DurationFormat.format(.seconds(outage.rounded()))): \(event.status)"
        case .test:
            title = "urlpoll test alert"
            summary = "urlpoll test alert from \(instance) to \(event.receiver)"
        }
        let isTrigger = event.kind != .recovered
        let values: [String: Any] = [
            "event": event.kind.rawValue,
            "url": event.url,
            "name": what,
            "status": event.status,
            "code": event.code.map(String.init) ?? "",
            "since": WebhookPayload.timestamp(event.since),
            "ended_at": event.endedAt.map(WebhookPayload.timestamp) ?? "",
            "outage": DurationFormat.format(.seconds(outage.rounded())),
            "outage_seconds": String(Int(outage.rounded())),
            "failures": String(event.failures),
            "instance": instance,
            "sent_at": WebhookPayload.timestamp(sentAt),
            "decided_at": WebhookPayload.timestamp(event.decidedAt),
            "idempotency_key": event.idempotencyKey,
            "receiver": event.receiver,
            "title": title,
            "summary": summary,
            "details": "\(summary)\n\(event.url)\nsince \(WebhookPayload.timestamp(event.since)) · reported by \(instance)",
            "emoji": ["down": "🔴", "recovered": "✅", "reminder": "🔴", "test": "🔔"][event.kind.rawValue] ?? "",
            "color": isTrigger && event.kind != .test ? "D7263D" : "2E933C",
            "tag": isTrigger && event.kind != .test ? "rotating_light" : "white_check_mark",
            "priority": event.kind == .down || event.kind == .reminder ? "5" : "3",
            "action": isTrigger ? "trigger" : "resolve",
            "dedup_key": event.kind == .test ? event.idempotencyKey : "urlpoll-" + String(event.idempotencyKey.split(separator: "-").last ?? ""),
            "is_down": event.kind == .down,
            "is_recovered": event.kind == .recovered,
            "is_reminder": event.kind == .reminder,
            "is_test": event.kind == .test,
            "is_trigger": isTrigger,
            "routing_key": variables["routing-key"] ?? "",
            "topic": variables["topic"] ?? "",
            "severity": variables["severity"] ?? (event.kind == .test ? "info" : "critical"),
        ]
        return values
    }
}
