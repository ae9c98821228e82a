import Foundation
import URLPollCore

/// One place announcements go: turns an ``AlertEvent`` into its own format and hands it over.
///
/// ``deliver(_:sentAt:)`` is one attempt: it returns when the receiver accepted the event (a 2xx answer,
/// or a command that exited 0) and throws ``DeliveryError`` otherwise, within the receiver's timeout.
/// Retries are the ``DeliveryWorker``'s business. Implementations never put a secret (a webhook URL's
/// path, a header value, a signing secret) into an error message.
package protocol Receiver: Sendable {
    var name: String { get }
    func deliver(_ event: AlertEvent, sentAt: Date) async throws(DeliveryError)
}

/// Why one delivery attempt failed, in words fit for a log line (no secrets, bounded).
package struct DeliveryError: Error, Sendable, Equatable, CustomStringConvertible {
    package let message: String
    /// Whether trying again could help (a 400 will not get better).
    package let isRetryable: Bool

    package init(_ message: String, isRetryable: Bool = true) {
        self.message = Excerpt.bounded(message)
        self.isRetryable = isRetryable
    }

    package var description: String { message }
}
