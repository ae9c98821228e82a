import Foundation

/// The last known state of one URL, as the ``StateMonitor`` keeps it and reports show it.
public struct URLRecord: Sendable, Equatable {
    /// The ``Resource/id`` of the URL.
    public let id: Int
    /// The URL as given.
    public let url: String
    /// `pending` until the first poll, then `up` or `down`.
    public internal(set) var health: Health = .pending
    /// The last poll's status text (`"200 OK"` or the error); empty while pending.
    public internal(set) var status = ""
    /// The last poll's HTTP status code, if the server answered.
    public internal(set) var code: Int?
    /// The last poll's latency.
    public internal(set) var latency: Duration?
    /// When the last poll ended.
    public internal(set) var checkedAt: Date?
    /// Since when the URL has had its current ``health``.
    public internal(set) var since: Date
    /// Polls in a row that were `down`.
    public internal(set) var consecutiveFailures = 0
    /// The HTTP method of the last poll.
    public internal(set) var method: CheckMethod?
    /// When the server's TLS certificate expires (https only; checked at least hourly).
    public internal(set) var certificateExpiry: Date?
    /// The name the configuration gives the URL, if any.
    public internal(set) var name: String?
    /// Polls recorded for this URL.
    public internal(set) var polls = 0

    public init(id: Int, url: String, name: String? = nil, since: Date) {
        self.id = id
        self.url = url
        self.name = name
        self.since = since
    }

    /// Takes in a poll's result; ``since`` moves only when the health changes.
    mutating func apply(_ state: State) {
        let health = state.health
        if health != self.health { since = state.checkedAt }
        self.health = health
        status = state.status
        code = state.code
        latency = state.latency
        checkedAt = state.checkedAt
        consecutiveFailures = state.consecutiveFailures
        method = state.method
        if let expiry = state.certificateExpiry { certificateExpiry = expiry }
        polls += 1
    }
}
