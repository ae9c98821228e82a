import Foundation

/// Decides whether a poll's result is up or down, and the status text that says why.
///
/// Pure: a function of the options, the probe's result, the poll's latency and the time. The conditions
/// are checked in this order, and the first that fails names the result: the answer itself (no answer is
/// down), the expected status codes, `max-latency`, `body-contains`, `body-matches`, `json`, `cert-expiry-warning`.
public struct CheckVerdict: Sendable, Equatable {
    public let health: Health
    /// `"200 OK"`, `"refused"`, or the answer and the failed condition:
    /// `"200 OK, but took 1.2s (max-latency 1s; slowest phase ttfb 1.1s)"`.
    public let status: String

    public init(health: Health, status: String) {
        self.health = health
        self.status = status
    }

    public init(_ result: ProbeResult, latency: Duration, options: CheckOptions, now: Date) {
        guard case .response(let code, _) = result.outcome else {
            (health, status) = (.down, result.outcome.statusText)
            return
        }
        let answer = result.outcome.statusText
        if !options.expect.contains(code) {
            let expected = options.expect == .standard ? "" : " (expected \(options.expect))"
            (health, status) = (.down, answer + expected)
            return
        }
        if let maxLatency = options.maxLatency, latency > maxLatency {
            let took = DurationFormat.format(latency)
            let slowest = result.phases.slowest.map { "; slowest phase \($0.phase.rawValue) \(DurationFormat.format($0.duration))" } ?? ""
            (health, status) = (.down, "\(answer), but took \(took) (max-latency \(DurationFormat.format(maxLatency))\(slowest))")
            return
        }
        if options.needsBody {
            let text = String(decoding: result.body, as: UTF8.self)
            let scope = result.bodyTruncated ? " in its first \(ByteSize.format(result.body.count))" : ""
            if let needle = options.bodyContains, !text.contains(needle) {
                (health, status) = (.down, "\(answer), but the body does not contain \(Excerpt.quoted(needle))\(scope)")
                return
            }
            if let pattern = options.bodyMatches, !pattern.matches(text) {
                (health, status) = (.down, "\(answer), but the body does not match \(pattern)\(scope)")
                return
            }
            if !options.jsonChecks.isEmpty {
                guard let json = JSONValue.parse(result.body) else {
                    (health, status) = (.down, "\(answer), but the body is not JSON\(scope)")
                    return
                }
                if let failure = options.jsonChecks.lazy.compactMap({ $0.failure(in: json) }).first {
                    (health, status) = (.down, "\(answer), but \(failure)")
                    return
                }
            }
        }
        if let warning = options.certExpiryWarning, let expiry = result.certificateExpiry, expiry.timeIntervalSince(now) < warning.seconds {
            let left = expiry.timeIntervalSince(now)
            let when = left <= 0 ? "expired" : "expires in \(DurationFormat.format(.seconds(Int64(left))))"
            (health, status) = (
                .down, "\(answer), but the certificate \(when) (\(Timestamp.rfc3339(expiry)); cert-expiry-warning \(DurationFormat.format(warning)))"
            )
            return
        }
        (health, status) = (.up, answer)
    }
}
