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

/// Checks one URL once. The ``Poller``s share one probe.
///
/// Contract: `probe(_:)` never throws: every failure is a ``ProbeOutcome/failure(reason:)``. It returns
/// within the configured timeout (plus scheduling slack) whatever the server does, and it is safe to
/// call from many tasks at once.
public protocol Probe: Sendable {
    /// The HTTP method the probe uses, as reports show it.
    var method: String { get }

    /// Polls `url` once.
    func probe(_ url: String) async -> ProbeOutcome
}
