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

/// Checks URLs. The pollers share one probe; each poller polls through a ``ProbeSession`` of its own.
///
/// Implementations: ``NIOProbe`` (HTTP/1.1 on SwiftNIO channels, the default) and
/// ``AsyncHTTPClientProbe`` (async-http-client). Both pass the same contract tests.
public protocol Probe: Sendable {
    /// The HTTP method the probe uses, as reports show it.
    var method: String { get }

    /// A session for one poller, which may keep state (such as open connections) between its polls.
    func makeSession() -> any ProbeSession
}

/// One poller's way to poll: used by one task at a time, never shared (hence not `Sendable`).
///
/// Contract: ``probe(_:)`` never throws: every failure is a ``ProbeOutcome/failure(reason:)``. It returns
/// within the probe's timeout (plus scheduling slack) whatever the server does.
public protocol ProbeSession: AnyObject {
    /// Polls `url` once.
    func probe(_ url: String) async -> ProbeOutcome

    /// Releases what the session holds (open connections). The session is not used afterwards.
    func close()
}

extension Probe {
    /// Polls `url` once in a session of its own (for one-off checks and tests).
    public func probe(_ url: String) async -> ProbeOutcome {
        let session = makeSession()
        let outcome = await session.probe(url)
        session.close()
        return outcome
    }
}
