import Foundation
import URLPollCore

/// The JSON a `webhook` receiver gets: version 1 of a documented shape (docs/alerts.md). Fields are
/// only ever added within a version; a change that would break a receiver gets a new `version`.
///
/// ```json
/// {"version":1,"event":"down","url":"https://api.example.org/health","name":"API","status":"503 Service Unavailable",
///  "code":503,"since":"2026-11-30T10:00:00Z","outage_seconds":20,"failures":3,"instance":"mon-1",
///  "sent_at":"2026-11-30T10:00:20Z","idempotency_key":"down-1796032800000-1f3a…","receiver":"ops"}
/// ```
struct WebhookPayload: Encodable {
    let version = 1
    let event: String
    let url: String
    let name: String?
    let status: String
    let code: Int?
    let since: String
    let endedAt: String?
    let outageSeconds: Int
    let failures: Int
    let instance: String
    let sentAt: String
    let idempotencyKey: String
    let receiver: String

    init(_ event: AlertEvent, instance: String, sentAt: Date) {
        self.event = event.kind.rawValue
        url = event.url
        name = event.name
        status = event.status
        code = event.code
        since = Self.timestamp(event.since)
        endedAt = event.endedAt.map(Self.timestamp)
        outageSeconds = Int(event.outageDuration(now: sentAt).rounded())
        failures = event.failures
        self.instance = instance
        self.sentAt = Self.timestamp(sentAt)
        idempotencyKey = event.idempotencyKey
        receiver = event.receiver
    }

    enum CodingKeys: String, CodingKey {
        case version, event, url, name, status, code, since, failures, instance, receiver
        case endedAt = "ended_at"
        case outageSeconds = "outage_seconds"
        case sentAt = "sent_at"
        case idempotencyKey = "idempotency_key"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(version, forKey: .version)
        try container.encode(event, forKey: .event)
        try container.encode(url, forKey: .url)
        try container.encode(name, forKey: .name)  // null when unnamed: every key is always present
        try container.encode(status, forKey: .status)
        try container.encode(code, forKey: .code)
        try container.encode(since, forKey: .since)
        try container.encode(endedAt, forKey: .endedAt)
        try container.encode(outageSeconds, forKey: .outageSeconds)
        try container.encode(failures, forKey: .failures)
        try container.encode(instance, forKey: .instance)
        try container.encode(sentAt, forKey: .sentAt)
        try container.encode(idempotencyKey, forKey: .idempotencyKey)
        try container.encode(receiver, forKey: .receiver)
    }

    /// The body, as sent (and signed).
    var json: [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(self)) ?? Data("{}".utf8))
    }

    /// RFC 3339 in UTC, whole seconds.
    static func timestamp(_ date: Date) -> String {
        date.formatted(.iso8601)
    }
}
