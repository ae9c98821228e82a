import Foundation
import NIOCore

extension ProbeSession {
    /// Polls `request.url`: one exchange, then up to `request.maximumRedirects` redirects when
    /// `request.followRedirects` is set.
    ///
    /// Never throws: every failure becomes ``ProbeOutcome/failure(reason:)``. Refused: a redirect loop, an
    /// 11th redirect, a `Location` that is not a URL, and a redirect to a scheme other than http or https.
    /// Every hop uses the request's method (HEAD or GET are both safe to repeat, whatever the code).
    public func probe(_ request: ProbeRequest, deadline: NIODeadline) async -> ProbeResult {
        var hop = request
        var visited: Set<String> = []  // filled at the first redirect: most polls have none
        var certificateExpiry: Date?
        do {
            for _ in 0...request.maximumRedirects {
                let exchange = try await exchange(hop, deadline: deadline)
                certificateExpiry = exchange.certificateExpiry ?? certificateExpiry
                guard request.followRedirects, [301, 302, 303, 307, 308].contains(exchange.code), let location = exchange.location else {
                    var result = ProbeResult(outcome: .response(code: exchange.code, reason: exchange.reason))
                    result.body = exchange.body
                    result.bodyTruncated = exchange.bodyTruncated
                    result.certificateExpiry = certificateExpiry
                    return result
                }
                guard let next = HTTPTarget.resolve(location: location, against: hop.url) else {
                    return failure("invalid redirect location \"\(location)\"", certificateExpiry)
                }
                guard HTTPTarget(url: next) != nil else {
                    return failure("redirect to an unsupported URL \"\(next)\" refused", certificateExpiry)
                }
                if visited.isEmpty { visited.insert(request.url) }
                guard visited.insert(next).inserted else { return failure("redirect loop", certificateExpiry) }
                hop.url = next
            }
            return failure("too many redirects", certificateExpiry)
        } catch {
            return failure(FailureDescription.describe(error, timeout: request.timeout), certificateExpiry)
        }
    }

    private func failure(_ reason: String, _ certificateExpiry: Date?) -> ProbeResult {
        var result = ProbeResult(outcome: .failure(reason: reason))
        result.certificateExpiry = certificateExpiry
        return result
    }
}
