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
        if let expiring = Self.expiring(result.certificateExpiry, options: options, now: now, answer: answer) {
            (health, status) = (.down, expiring)
            return
        }
        (health, status) = (.up, answer)
    }

    /// The verdict on a poll of a non-HTTP check: its kind's own verdict (`result`), then the conditions
    /// every kind shares, in this order: `max-latency`, `cert-expiry-warning`.
    public init(_ result: CheckResult, latency: Duration, options: CheckOptions, now: Date) {
        guard result.health == .up else {
            (health, status) = (result.health, result.status)
            return
        }
        if let maxLatency = options.maxLatency, latency > maxLatency {
            let took = DurationFormat.format(latency)
            (health, status) = (.down, "\(result.status), but took \(took) (max-latency \(DurationFormat.format(maxLatency)))")
            return
        }
        if let expiring = Self.expiring(result.certificateExpiry, options: options, now: now, answer: result.status) {
            (health, status) = (.down, expiring)
            return
        }
        (health, status) = (.up, result.status)
    }

    /// The status of an answer whose certificate expires within `cert-expiry-warning`, or `nil`.
    private static func expiring(_ expiry: Date?, options: CheckOptions, now: Date, answer: String) -> String? {
        guard let warning = options.certExpiryWarning, let expiry, expiry.timeIntervalSince(now) < warning.seconds else { return nil }
        let left = expiry.timeIntervalSince(now)
        let when = left <= 0 ? "expired" : "expires in \(DurationFormat.format(.seconds(Int64(left))))"
        return "\(answer), but the certificate \(when) (\(Timestamp.rfc3339(expiry)); cert-expiry-warning \(DurationFormat.format(warning)))"
    }
}
