import Foundation
import NIOCore

extension ProbeSession {
    /// Polls `request.url`: one exchange, then up to `request.maximumRedirects` redirects when
    /// `request.followRedirects` is set.
    ///
    /// Never throws: every failure becomes ``ProbeOutcome/failure(reason:)``. Refused: a redirect loop, an
    /// 11th redirect, a `Location` that is not a URL, a redirect to a scheme other than http or https or to
    /// a URL longer than ``Resource/maximumURLLength``.
    /// Every hop uses the request's method and body, except that a 303 turns anything but HEAD into a
    /// GET without a body.
    /// Credentials stay with their origin: which configured headers follow a redirect is
    /// ``RedirectHeaders/forwarded(_:from:to:)``'s decision, and the URL's TLS settings (client
    /// certificate, CA, server name) apply only to its own origin. Texts from the server (the reason phrase, a
    /// refused `Location`) are shortened to ``Excerpt/limit`` characters.
    public func probe(_ request: ProbeRequest, deadline: NIODeadline) async -> ProbeResult {
        var hop = request
        var visited: Set<String> = []  // filled at the first redirect: most polls have none
        var certificateExpiry: Date?
        var phases = PollPhases()
        do {
            for _ in 0...request.maximumRedirects {
                let exchange = try await exchange(hop, deadline: deadline)
                certificateExpiry = exchange.certificateExpiry ?? certificateExpiry
                phases = phases.adding(exchange.phases)
                guard request.followRedirects, [301, 302, 303, 307, 308].contains(exchange.code), let location = exchange.location else {
                    var result = ProbeResult(outcome: .response(code: exchange.code, reason: Excerpt.bounded(exchange.reason)))
                    result.body = exchange.body
                    result.bodyTruncated = exchange.bodyTruncated
                    result.certificateExpiry = certificateExpiry
                    result.phases = phases
                    result.remoteAddress = exchange.remoteAddress
                    return result
                }
                guard let next = URLOrigin.resolve(location: location, against: hop.url) else {
                    return failure("invalid redirect location \(Excerpt.quoted(location))", certificateExpiry, phases)
                }
                guard let nextOrigin = URLOrigin(next), let current = URLOrigin(hop.url) else {
                    return failure("redirect to an unsupported URL \(Excerpt.quoted(next)) refused", certificateExpiry, phases)
                }
                guard next.utf8.count <= Resource.maximumURLLength else {
                    return failure("redirect to a URL longer than \(Resource.maximumURLLength) bytes refused", certificateExpiry, phases)
                }
                if visited.isEmpty { visited.insert(request.url) }
                guard visited.insert(next).inserted else { return failure("redirect loop", certificateExpiry, phases) }
                hop.headers = RedirectHeaders.forwarded(hop.headers, from: current, to: nextOrigin)
                // A client certificate is a credential and a server name belongs to the URL's host: the
                // URL's TLS settings stay with its origin, like its credentials.
                if nextOrigin != current { hop.tls = nil }
                // 303 See Other: fetch the answer with GET (a HEAD stays HEAD); 301, 302, 307 and 308 repeat
                // the request as it was, body and all (RFC 9110 §15.4).
                if exchange.code == 303 && hop.method != .head {
                    hop.method = .get
                    hop.body = nil
                    hop.headers.removeAll { $0.name.lowercased() == "content-type" }
                }
                hop.url = next
            }
            return failure("too many redirects", certificateExpiry, phases)
        } catch let error as ProbeFailure {
            return failure(error.reason, certificateExpiry, phases.adding(error.phases))
        } catch is CancellationError {
            return failure("cancelled", certificateExpiry, phases)
        } catch {
            return failure(Excerpt.bounded("\(error)"), certificateExpiry, phases)
        }
    }

    private func failure(_ reason: String, _ certificateExpiry: Date?, _ phases: PollPhases) -> ProbeResult {
        var result = ProbeResult(outcome: .failure(reason: reason))
        result.certificateExpiry = certificateExpiry
        result.phases = phases
        return result
    }
}
