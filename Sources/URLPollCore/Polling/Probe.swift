import Foundation
import NIOCore

/// What one request to a URL produced.
public enum ProbeOutcome: Sendable, Equatable {
    /// The server answered; `code` is the final status code (after redirects) and `reason` its phrase.
    case response(code: Int, reason: String)
    /// No usable answer: `reason` says why (refused, reset, timed out, invalid response, ...).
    case failure(reason: String)

    /// The status text reports show: `"200 OK"`, or the failure's reason.
    public var statusText: String {
        switch self {
        case .response(let code, let reason): reason.isEmpty ? "\(code)" : "\(code) \(reason)"
        case .failure(let reason): reason
        }
    }

    /// The HTTP status code, if the server answered.
    public var code: Int? {
        if case .response(let code, _) = self { return code }
        return nil
    }
}

/// One poll's request: where, how, and how much of the answer to keep.
public struct ProbeRequest: Sendable {
    public var url: String
    public var method: CheckMethod
    /// Extra headers (secret values); a `Host` or `User-Agent` here replaces urlpoll's own.
    public var headers: [HeaderField]
    /// The whole poll's limit, quoted in "timed out after …".
    public var timeout: Duration
    /// Bounds connecting to one host (TCP and TLS).
    public var connectTimeout: Duration
    /// Whether 3xx answers with a `Location` are followed.
    public var followRedirects: Bool
    /// The most redirects followed.
    public var maximumRedirects: Int
    /// Body bytes to keep for the body conditions; 0 keeps none (the body is then skipped or the connection closed).
    public var bodyLimit: Int
    /// Whether https certificates are accepted without verification.
    public var insecureTLS: Bool
    /// The URL's TLS settings, ready for the client; `nil` uses the client's defaults.
    public var tls: (any PreparedTLS)?
    /// Whether kept-alive connections may be used; `false` connects anew for every request.
    public var reuseConnections: Bool
    /// The request body, if any (dropped when a 303 turns the request into a GET).
    public var body: [UInt8]?
    /// Which of the host's addresses a new connection may use.
    public var ipVersion: IPVersion

    /// The longest body a client skips (reads without keeping) to reuse the connection when the body is
    /// not needed; a longer one is cut off by closing the connection.
    public static let drainLimit = 64 * 1024

    /// A request for `url` with `options`' settings, using `method`; `timeout` applies where the options set none.
    public init(url: String, options: CheckOptions, method: CheckMethod, timeout: Duration) {
        self.url = url
        self.method = method
        self.headers = options.headers
        self.timeout = options.timeout ?? timeout
        self.connectTimeout = options.connectTimeout(within: self.timeout)
        self.followRedirects = options.followRedirects
        self.maximumRedirects = 10
        self.bodyLimit = options.bodyLimit
        self.insecureTLS = options.insecureTLS
        self.tls = options.preparedTLS
        self.reuseConnections = options.reuseConnections
        self.ipVersion = options.ipVersion
        self.body = method == .head || method == .get ? nil : options.requestBody
    }
}

/// One HTTP exchange, with no redirect followed: what a ``ProbeSession`` returns.
public struct ProbeExchange: Sendable {
    public var code: Int
    public var reason: String
    /// The `Location` header, if any.
    public var location: String?
    /// The first bytes of the body, up to the request's ``ProbeRequest/bodyLimit``.
    public var body: [UInt8] = []
    /// Whether the body was longer than what was kept.
    public var bodyTruncated = false
    /// When the server's (leaf) TLS certificate expires; `nil` for http, or when the client cannot tell.
    public var certificateExpiry: Date?
    /// How long each phase of the exchange took (empty when the client cannot tell).
    public var phases = PollPhases()
    /// The IP address the exchange's connection led to, if the client tells.
    public var remoteAddress: String?

    public init(code: Int, reason: String, location: String? = nil) {
        self.code = code
        self.reason = reason
        self.location = location
    }
}

/// What a whole poll produced: the outcome after redirects, and what the conditions need.
public struct ProbeResult: Sendable {
    public var outcome: ProbeOutcome
    /// The final response's first body bytes (only when the request asked for them).
    public var body: [UInt8] = []
    public var bodyTruncated = false
    /// The expiry of the last https certificate seen in this poll.
    public var certificateExpiry: Date?
    /// The phases of every exchange of the poll, added up; after a failure, those measured before it.
    public var phases = PollPhases()
    /// The IP address of the server that gave the final answer, if the client tells.
    public var remoteAddress: String?

    public init(outcome: ProbeOutcome) {
        self.outcome = outcome
    }
}

/// Checks URLs. The pollers share one probe; each poller polls through a ``ProbeSession`` of its own.
///
/// Implementations: ``NIOProbe`` (HTTP/1.1 on SwiftNIO channels, the default) and
/// ``AsyncHTTPClientProbe`` (async-http-client). Both pass the same contract tests.
public protocol Probe: Sendable {
    /// A session for one poller, which may keep state (such as open connections) between its polls.
    func makeSession() -> any ProbeSession

    /// The session for poller number `index`; by default ``makeSession()``.
    func makeSession(forPoller index: Int) -> any ProbeSession

    /// The executor poller number `index` should run on, so that its session's I/O completes on the
    /// thread that runs the poller; `nil` (the default) leaves pollers on the global executor.
    func executor(forPoller index: Int) -> (any TaskExecutor)?

    /// The clock that should wake idle pollers (see ``AlarmClock``); by default ``TaskAlarmClock``.
    var alarmClock: any AlarmClock { get }
}

extension Probe {
    public func makeSession(forPoller index: Int) -> any ProbeSession { makeSession() }
    public func executor(forPoller index: Int) -> (any TaskExecutor)? { nil }
    public var alarmClock: any AlarmClock { TaskAlarmClock() }
}

/// Why an exchange gave no answer, in words for people: the status text of a failed poll
/// (`connection refused`, `timed out after 10s`, `invalid HTTP response (…)`). Each ``ProbeSession``
/// describes the errors of its own HTTP client.
public struct ProbeFailure: Error, Equatable, Sendable {
    public let reason: String
    /// The phases measured before the failure (connecting, say, before a timeout waiting for the answer).
    public let phases: PollPhases

    public init(reason: String, phases: PollPhases = PollPhases()) {
        self.reason = reason
        self.phases = phases
    }
}

/// One poller's way to poll: used by one task at a time, never shared (hence not `Sendable`).
///
/// A session makes single exchanges; ``probe(_:deadline:)`` (shared by every session) follows redirects.
public protocol ProbeSession: AnyObject {
    /// Sends `request` to `request.url` and returns the answer, following no redirect.
    ///
    /// Returns or throws by `deadline` (plus scheduling slack) whatever the server does; it never keeps
    /// more than `request.bodyLimit` body bytes, whatever the server sends.
    /// - Throws: ``ProbeFailure`` with the status text that says why no answer came.
    func exchange(_ request: ProbeRequest, deadline: NIODeadline) async throws -> ProbeExchange

    /// Releases what the session holds (open connections). The session is not used afterwards.
    func close()
}

extension Probe {
    /// Polls `url` once with HEAD in a session of its own (for one-off checks and tests).
    public func probe(_ url: String, timeout: Duration = .seconds(10)) async -> ProbeOutcome {
        let session = makeSession()
        let request = ProbeRequest(url: url, options: CheckOptions(), method: .head, timeout: timeout)
        let result = await session.probe(request, deadline: .now() + TimeAmount(timeout))
        session.close()
        return result.outcome
    }
}
