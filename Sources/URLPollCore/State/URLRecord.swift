import Foundation

/// The last known state of one URL, as the ``StateMonitor`` keeps it and reports show it.
///
/// The monitor keeps one per URL (100,000 of them for a large list), so the optional values are stored
/// in compact forms (a sentinel instead of an optional's extra byte and padding) behind the public
/// properties: 152 bytes a record, 20 of them the last poll's phases.
public struct URLRecord: Sendable, Equatable {
    /// The ``Resource/id`` of the URL.
    public let id: Int
    /// The URL as given.
    public let url: TargetURL
    /// The last poll's status text (`"200 OK"` or the error); empty while pending.
    public internal(set) var status = ""
    /// The name the configuration gives the URL, if any.
    public internal(set) var name: String?
    /// Since when the URL has had its current ``health``.
    public internal(set) var since: Date
    /// Polls recorded for this URL.
    public internal(set) var polls = 0
    private var checkedAtSeconds = Double.nan
    private var certificateExpirySeconds = Double.nan
    private var latencyNanoseconds: Int64 = -1
    private var failures: Int32 = 0
    private var statusCode: UInt16 = 0
    /// `pending` until the first poll, then `up` or `down`.
    public internal(set) var health: Health = .pending
    /// The HTTP method of the last poll.
    public internal(set) var method: CheckMethod?
    /// How long each phase of the last poll took (empty while pending or after a poll without answer).
    public internal(set) var phases = PollPhases()
    /// The IP address of the server that last answered (kept when a later poll gets no answer).
    public internal(set) var remoteAddress: String?

    /// The last poll's HTTP status code, if the server answered.
    public var code: Int? { statusCode == 0 ? nil : Int(statusCode) }
    /// The last poll's latency.
    public var latency: Duration? { latencyNanoseconds < 0 ? nil : .nanoseconds(latencyNanoseconds) }
    /// When the last poll ended.
    public var checkedAt: Date? { checkedAtSeconds.isNaN ? nil : Date(timeIntervalSince1970: checkedAtSeconds) }
    /// When the server's TLS certificate expires (https only; read at least hourly).
    public var certificateExpiry: Date? {
        certificateExpirySeconds.isNaN ? nil : Date(timeIntervalSince1970: certificateExpirySeconds)
    }
    /// Polls in a row that were `down`.
    public var consecutiveFailures: Int { Int(failures) }

    public init(id: Int, url: TargetURL, name: String? = nil, since: Date) {
        self.id = id
        self.url = url
        self.name = name
        self.since = since
    }

    /// Takes the last state an earlier run left (it counts as no poll of this run).
    mutating func restore(_ state: RestoredState) {
        health = state.health
        since = state.since
        status = state.status
        statusCode = state.code.map { UInt16(clamping: $0) } ?? 0
        latencyNanoseconds = max(0, state.latency.wholeNanoseconds)
        checkedAtSeconds = state.checkedAt.timeIntervalSince1970
        failures = Int32(clamping: state.consecutiveFailures)
        method = state.method
    }

    /// Takes in a poll's result; ``since`` moves only when the health changes.
    mutating func apply(_ state: State) {
        let health = state.health
        if health != self.health { since = state.checkedAt }
        self.health = health
        status = state.status
        statusCode = state.code.map { UInt16(clamping: $0) } ?? 0
        latencyNanoseconds = max(0, state.latency.wholeNanoseconds)
        checkedAtSeconds = state.checkedAt.timeIntervalSince1970
        failures = Int32(clamping: state.consecutiveFailures)
        method = state.method
        phases = state.phases
        if let address = state.remoteAddress { remoteAddress = address }
        if let expiry = state.certificateExpiry { certificateExpirySeconds = expiry.timeIntervalSince1970 }
        polls += 1
    }

    public static func == (lhs: URLRecord, rhs: URLRecord) -> Bool {
        lhs.id == rhs.id && lhs.url == rhs.url && lhs.status == rhs.status && lhs.name == rhs.name && lhs.since == rhs.since
            && lhs.polls == rhs.polls && lhs.code == rhs.code && lhs.latency == rhs.latency && lhs.checkedAt == rhs.checkedAt
            && lhs.certificateExpiry == rhs.certificateExpiry && lhs.failures == rhs.failures && lhs.health == rhs.health
            && lhs.method == rhs.method && lhs.phases == rhs.phases && lhs.remoteAddress == rhs.remoteAddress
    }
}
