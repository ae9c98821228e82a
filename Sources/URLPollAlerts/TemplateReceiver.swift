import Foundation
import Mustache
import URLPollCore

/// Posts a body rendered from a Mustache template (a preset's or the user's) with the event's values
/// (``TemplateContext``). For a JSON content type, values are escaped for JSON strings
/// (``JSONStringContentType``); otherwise they are inserted as they are.
struct TemplateReceiver: Receiver {
    let name: String
    let url: Secret<String>
    let headers: [HeaderField]
    let template: MustacheTemplate
    let contentType: String
    let variables: [String: Secret<String>]
    let instance: String
    let timeout: Duration
    let http: ReceiverHTTPClient

    /// Parses the template once, at start.
    ///
    /// - Throws: ``DeliveryError`` (not retryable) describing a template that does not parse.
    static func compile(_ source: AlertReceiverSettings.TemplateSource, contentType: String) throws(DeliveryError) -> MustacheTemplate {
        let text: String
        switch source {
        case .preset(let preset): text = TemplatePresets.all[preset] ?? ""
        case .text(let body): text = body
        }
        _ = JSONStringContentType.registered
        let pragma = contentType.lowercased().contains("json") ? "{{% CONTENT_TYPE: JSON}}" : "{{% CONTENT_TYPE: TEXT}}"
        do {
            return try MustacheTemplate(string: pragma + text)
        } catch {
            throw DeliveryError("the template does not parse (\(error))", isRetryable: false)
        }
    }

    /// The body for `event`.
    func render(_ event: AlertEvent, sentAt: Date) -> [UInt8] {
        Array(
            template.render(TemplateContext.values(for: event, instance: instance, sentAt: sentAt, variables: variables.mapValues(\.revealed))).utf8
        )
    }

    func deliver(_ event: AlertEvent, sentAt: Date) async throws(DeliveryError) {
        let fields = [("Content-Type", contentType), ("Idempotency-Key", event.idempotencyKey)]
        try await http.post(render(event, sentAt: sentAt), to: url, fields: fields, headers: headers, timeout: timeout)
    }
}
