import Foundation
import URLPollCore

/// `urlpoll test-alert`: sends a `test` event to receivers through the same receivers (formats, HTTP
/// client, signing, templates, commands) that real alerts use, one attempt each, and says what each did.
package enum AlertTest {
    /// The outcome for one receiver: `nil` when it accepted the event, else why not.
    package struct Result: Sendable {
        package let receiver: String
        package let summary: String
        package let error: DeliveryError?
    }

    /// Sends a test event to the receiver named `only` (or to every receiver), one at a time.
    ///
    /// - Throws: ``DeliveryError`` for an unknown receiver name or a template that does not parse.
    package static func send(_ settings: AlertSettings, only: String? = nil, now: Date = Date()) async throws(DeliveryError) -> [Result] {
        var chosen = settings.routing.receivers
        if let only {
            chosen = chosen.filter { $0.name == only }
            if chosen.isEmpty {
                let names = settings.routing.receivers.map(\.name)
                throw DeliveryError(
                    "no receiver named \(Excerpt.quoted(only)) (configured: \(names.isEmpty ? "none" : names.joined(separator: ", ")))",
                    isRetryable: false
                )
            }
        } else if chosen.isEmpty {
            throw DeliveryError("the configuration has no alerts: receivers", isRetryable: false)
        }
        let http = ReceiverHTTPClient()
        var results: [Result] = []
        for settingsOfOne in chosen {
            let receiver: any Receiver
            do {
                receiver = try Receivers.make(settingsOfOne, instance: settings.instance, http: http)
            } catch {
                await http.shutdown()
                throw error
            }
            let event = AlertEvent(
                kind: .test,
                receiver: settingsOfOne.name,
                url: "urlpoll://test",
                name: "urlpoll test alert",
                status: "test alert: nothing is down",
                code: nil,
                since: now,
                failures: 0,
                decidedAt: now
            )
            do {
                try await receiver.deliver(event, sentAt: Date())
                results.append(Result(receiver: settingsOfOne.name, summary: settingsOfOne.summary, error: nil))
            } catch {
                results.append(Result(receiver: settingsOfOne.name, summary: settingsOfOne.summary, error: error))
            }
        }
        await http.shutdown()
        return results
    }
}
