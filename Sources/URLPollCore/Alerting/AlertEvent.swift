import Foundation

/// One announcement for one receiver: a URL went down, came back, is still down, or a test.
///
/// A value, decided by the ``AlertTracker`` (or by `urlpoll test-alert`), stored in the delivery outbox
/// before it is sent, and turned into each receiver's format only when sent. Codable, so the outbox keeps
/// it as it is.
public struct AlertEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// The URL failed `failure-threshold` polls in a row.
        case down
        /// An announced URL answered `success-threshold` polls in a row.
        case recovered
        /// The URL is still down, `repeat` after the last announcement.
        case reminder
        /// `urlpoll test-alert`: nothing is down.
        case test
    }

    public let kind: Kind
    /// The receiver this event is for (by name).
    public let receiver: String
    /// The URL as it may be shown (``TargetURL/shown``): what payloads carry and the outbox keeps.
    public let url: String
    /// The URL's name in the configuration, if it has one.
    public let name: String?
    /// The status text of the poll that decided the event.
    public let status: String
    /// That poll's HTTP status code, if the server answered.
    public let code: Int?
    /// When the outage began (the first failed poll of the streak); for a test, when it was made.
    public let since: Date
    /// When the URL came back (the first poll of the successful streak); only for `recovered`.
    public let endedAt: Date?
    /// Failed polls in a row when the event was decided (0 for `recovered` and `test`).
    public let failures: Int
    /// When urlpoll decided the event.
    public let decidedAt: Date
    /// The same for every attempt to deliver this event, and for the same decision made again after a
    /// crash: receivers use it to drop duplicates.
    public let idempotencyKey: String

    public init(
        kind: Kind,
        receiver: String,
        url: TargetURL,
        name: String?,
        status: String,
        code: Int?,
        since: Date,
        endedAt: Date? = nil,
        failures: Int,
        decidedAt: Date
    ) {
        self.kind = kind
        self.receiver = receiver
        self.url = url.shown
        self.name = name
        self.status = status
        self.code = code
        self.since = since
        self.endedAt = endedAt
        self.failures = failures
        self.decidedAt = decidedAt
        let moment = kind == .down || kind == .recovered ? since : decidedAt
        idempotencyKey = Self.key(kind: kind, receiver: receiver, url: url.configured, at: moment)
    }

    private enum CodingKeys: String, CodingKey {
        case kind, receiver, url, name, status, code, since, endedAt, failures, decidedAt, idempotencyKey
    }

    /// Reads an event the outbox kept. One kept by a release before URLs were redacted has the URL as
    /// configured: it is shown with the built-in rules (``URLRedaction/standard``).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kind = try container.decode(Kind.self, forKey: .kind)
        receiver = try container.decode(String.self, forKey: .receiver)
        url = URLRedaction.standard.redact(try container.decode(String.self, forKey: .url))
        name = try container.decodeIfPresent(String.self, forKey: .name)
        status = try container.decode(String.self, forKey: .status)
        code = try container.decodeIfPresent(Int.self, forKey: .code)
        since = try container.decode(Date.self, forKey: .since)
        endedAt = try container.decodeIfPresent(Date.self, forKey: .endedAt)
        failures = try container.decode(Int.self, forKey: .failures)
        decidedAt = try container.decode(Date.self, forKey: .decidedAt)
        idempotencyKey = try container.decode(String.self, forKey: .idempotencyKey)
    }

    /// How long the outage lasted (recovered) or has lasted until `now`; never negative.
    public func outageDuration(now: Date) -> TimeInterval {
        max(0, (endedAt ?? now).timeIntervalSince(since))
    }

    /// The name if the configuration gives one, else the (shown) URL: what a message calls the URL.
    public var displayName: String { name ?? url }

    /// `kind-milliseconds-hash`: a down or recovered event is keyed by its outage's start, so deciding
    /// it again (after a crash) gives the same key; reminders and tests by when they were decided.
    static func key(kind: Kind, receiver: String, url: String, at moment: Date) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, 64 bits: stable across runs and platforms
        for byte in receiver.utf8 + [0] + url.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
        }
        let milliseconds = Int64((moment.timeIntervalSince1970 * 1000).rounded())
        return "\(kind.rawValue)-\(milliseconds)-\(String(hash, radix: 16))"
    }
}
