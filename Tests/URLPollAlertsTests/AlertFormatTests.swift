import Foundation
import Testing

@testable import URLPollAlerts
@testable import URLPollCore
@testable import URLPollTestSupport

/// What receivers get: the webhook payload and its signature, every template preset against the shape
/// its service documents, custom templates, and Alertmanager's alert. No I/O.
struct AlertFormatTests {
    static let since = Date(timeIntervalSince1970: 1_800_000_000)
    /// Text that breaks naive JSON templating: quotes, backslashes, a newline, a tab, markup, U+2028.
    static let hostile = "say \"hi\" \\ <b>&</b>\n\tline\u{2028}end"

    static func event(_ kind: AlertEvent.Kind, receiver: String = "r") -> AlertEvent {
        AlertEvent(
            kind: kind,
            receiver: receiver,
            url: "https://api.example.org/health?q=\"1\"",
            name: hostile,
            status: hostile,
            code: kind == .recovered ? 200 : 503,
            since: since,
            endedAt: kind == .recovered ? since + 125 : nil,
            failures: kind == .recovered ? 0 : 3,
            decidedAt: since + 130
        )
    }

    static let variables: [String: Secret<String>] = ["routing-key": "R0UTING", "topic": "alerts"]

    /// A client for receivers that are only asked to format (never to send); shut down at exit.
    static let http = ReceiverHTTPClient()

    func render(_ preset: String, _ event: AlertEvent) throws -> [String: Any] {
        let template = try TemplateReceiver.compile(.preset(preset), contentType: "application/json")
        let receiver = TemplateReceiver(
            name: "r",
            url: "http://127.0.0.1:1/",
            headers: [],
            template: template,
            contentType: "application/json",
            variables: Self.variables,
            instance: "mon \"1\"",
            timeout: .seconds(1),
            http: Self.http
        )
        let body = receiver.render(event, sentAt: Self.since + 131)
        let object = try JSONSerialization.jsonObject(with: Data(body))
        return try #require(object as? [String: Any], "\(String(decoding: body, as: UTF8.self))")
    }

    @Test(arguments: AlertEvent.Kind.allCases)
    func slackDiscordTeamsAndNtfyBodiesHaveTheirDocumentedShape(kind: AlertEvent.Kind) throws {
        let slack = try render("slack", Self.event(kind))
        // Every value arrives intact, whatever it holds (a test event names no URL).
        #expect((slack["text"] as? String)?.contains(kind == .test ? "urlpoll test alert" : Self.hostile) == true)

        let discord = try render("discord", Self.event(kind))
        let content = try #require(discord["content"] as? String)
        #expect(!content.isEmpty && content.count <= 2000 && discord["username"] as? String == "urlpoll")

        let teams = try render("teams", Self.event(kind))
        #expect(teams["@type"] as? String == "MessageCard" && teams["@context"] as? String == "https://schema.org/extensions")
        #expect((teams["themeColor"] as? String)?.count == 6)
        for key in ["summary", "title", "text"] { #expect((teams[key] as? String)?.isEmpty == false, "teams.\(key)") }

        let ntfy = try render("ntfy", Self.event(kind))
        #expect(ntfy["topic"] as? String == "alerts")
        #expect((ntfy["message"] as? String)?.contains("https://api.example.org/health?q=\"1\"") == true)
        #expect((ntfy["title"] as? String)?.isEmpty == false)
        #expect((ntfy["tags"] as? [String])?.count == 1)
        #expect((1...5).contains(ntfy["priority"] as? Int ?? 0))
    }

    /// PagerDuty Events API v2: trigger with a payload, resolve with the same dedup key.
    @Test func pagerDutyTriggersAndResolvesOneIncident() throws {
        let trigger = try render("pagerduty", Self.event(.down))
        #expect(trigger["routing_key"] as? String == "R0UTING" && trigger["event_action"] as? String == "trigger")
        let payload = try #require(trigger["payload"] as? [String: Any])
        let summary = try #require(payload["summary"] as? String)
        #expect(!summary.isEmpty && summary.count <= 1024)
        #expect(["critical", "error", "warning", "info"].contains(payload["severity"] as? String ?? ""))
        #expect(payload["source"] as? String == "mon \"1\"")
        #expect((try? Date(payload["timestamp"] as? String ?? "", strategy: .iso8601)) != nil)

        let resolve = try render("pagerduty", Self.event(.recovered))
        #expect(resolve["event_action"] as? String == "resolve" && resolve["payload"] == nil)
        let key = try #require(trigger["dedup_key"] as? String)
        #expect(resolve["dedup_key"] as? String == key && key.count <= 255)
        #expect(try render("pagerduty", Self.event(.reminder))["dedup_key"] as? String == key)
    }

    @Test func aCustomTemplateEscapesForJSONOnlyWhenTheBodyIsJSON() throws {
        let json = try TemplateReceiver.compile(.text(#"{"msg": "{{summary}}", "n": {{failures}}}"#), contentType: "application/json")
        let values = TemplateContext.values(for: Self.event(.down), instance: "i", sentAt: Self.since, variables: [:])
        let object = try JSONSerialization.jsonObject(with: Data(json.render(values).utf8)) as? [String: Any]
        #expect((object?["msg"] as? String)?.contains(Self.hostile) == true && object?["n"] as? Int == 3)

        let text = try TemplateReceiver.compile(.text("{{name}} is {{event}}"), contentType: "text/plain")
        #expect(text.render(values) == "\(Self.hostile) is down")
    }

    @Test func aTemplateThatDoesNotParseIsOneMessageNamingTheReceiver() {
        let settings = AlertSettings(
            routing: AlertRouting(receivers: [
                AlertReceiverSettings(
                    name: "chat",
                    kind: .template(
                        url: "https://h.example/",
                        headers: [],
                        template: .text("{{#open}} never closed"),
                        contentType: "text/plain",
                        variables: [:]
                    )
                )
            ])
        )
        #expect {
            try AlertService.validate(settings)
        } throws: { error in
            (error as? DeliveryError)?.message.hasPrefix("alerts receiver \"chat\": the template does not parse") == true
        }
    }

    @Test func theWebhookPayloadIsVersionOneWithEveryKey() throws {
        let body = WebhookPayload(Self.event(.recovered), instance: "mon-1", sentAt: Self.since + 131).json
        let object = try #require(try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])
        #expect(
            Set(object.keys) == [
                "version", "event", "url", "name", "status", "code", "since", "ended_at", "outage_seconds", "failures", "instance",
                "sent_at", "idempotency_key", "receiver",
            ]
        )
        #expect(object["version"] as? Int == 1 && object["event"] as? String == "recovered" && object["outage_seconds"] as? Int == 125)
        #expect(object["since"] as? String == "2027-01-15T08:00:00Z" && object["sent_at"] as? String == "2027-01-15T08:02:11Z")
        #expect(object["idempotency_key"] as? String == Self.event(.recovered).idempotencyKey)
        let down = try #require(
            try JSONSerialization.jsonObject(with: Data(WebhookPayload(Self.event(.down), instance: "i", sentAt: Self.since).json)) as? [String: Any]
        )
        #expect(down["ended_at"] is NSNull)
    }

    /// RFC 4231, test case 2, and a signature that must not verify.
    @Test func theSignatureIsHMACSHA256InHex() {
        let body = Array("what do ya want for nothing?".utf8)
        let signature = WebhookSignature.sign(body, secret: "Jefe")
        #expect(signature == "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(WebhookSignature.verify(signature, body: body, secret: "Jefe"))
        #expect(!WebhookSignature.verify(signature, body: body + [0x20], secret: "Jefe"))
        #expect(!WebhookSignature.verify(signature, body: body, secret: "jefe"))
    }

    @Test func alertmanagerFiresUntilAheadAndResolvesWithTheSameLabels() throws {
        let receiver = AlertmanagerReceiver(
            name: "am",
            url: "http://127.0.0.1:9093",
            headers: [],
            resend: .seconds(60),
            instance: "mon-1",
            timeout: .seconds(1),
            http: Self.http
        )
        func alert(_ kind: AlertEvent.Kind) throws -> [String: Any] {
            let array = try JSONSerialization.jsonObject(with: Data(receiver.body(Self.event(kind), sentAt: Self.since + 131))) as? [[String: Any]]
            return try #require(array?.only)
        }
        let firing = try alert(.down)
        let resolved = try alert(.recovered)
        let labels = try #require(firing["labels"] as? [String: String])
        #expect(labels["alertname"] == "URLDown" && labels["instance"] == "mon-1" && labels["name"] == Self.hostile)
        #expect(resolved["labels"] as? [String: String] == labels)
        #expect(firing["startsAt"] as? String == "2027-01-15T08:00:00.000Z")
        #expect(firing["endsAt"] as? String == "2027-01-15T08:06:11.000Z", "four resend periods ahead")
        #expect(resolved["endsAt"] as? String == "2027-01-15T08:02:05.000Z", "the recovery")
    }
}
