import Foundation
import URLPollCore

/// Posts the version-1 JSON payload (``WebhookPayload``), signed with the receiver's `secret` if it has
/// one (``WebhookSignature``), with the event and its idempotency key also in headers.
struct WebhookReceiver: Receiver {
    let name: String
    let url: Secret<String>
    let headers: [HeaderField]
    let secret: Secret<String>?
    let instance: String
    let timeout: Duration
    let http: ReceiverHTTPClient

    func deliver(_ event: AlertEvent, sentAt: Date) async throws(DeliveryError) {
        let body = WebhookPayload(event, instance: instance, sentAt: sentAt).json
        var fields = [
            ("Content-Type", "application/json"),
            ("X-Urlpoll-Event", event.kind.rawValue),
            ("X-Urlpoll-Delivery", event.idempotencyKey),
            ("Idempotency-Key", event.idempotencyKey),
        ]
        if let secret { fields.append((WebhookSignature.header, WebhookSignature.sign(body, secret: secret.revealed))) }
        try await http.post(body, to: url, fields: fields, headers: headers, timeout: timeout)
    }
}
