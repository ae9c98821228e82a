import Foundation
import Testing
import URLPollCore

@testable import URLPollTestSupport

/// The up/down decision for one poll, condition by condition. Pure.
struct CheckVerdictTests {
    let now = Date(timeIntervalSince1970: 1_900_000_000)

    func result(_ outcome: ProbeOutcome, body: String = "", truncated: Bool = false, expiry: Date? = nil) -> ProbeResult {
        var result = ProbeResult(outcome: outcome)
        result.body = Array(body.utf8)
        result.bodyTruncated = truncated
        result.certificateExpiry = expiry
        return result
    }

    func verdict(_ result: ProbeResult, _ options: CheckOptions, latency: Duration = .milliseconds(40)) -> CheckVerdict {
        CheckVerdict(result, latency: latency, options: options, now: now)
    }

    let ok = ProbeOutcome.response(code: 200, reason: "OK")

    @Test func failuresAndStatusCodesOutsideTheExpectationAreDown() {
        #expect(verdict(result(.failure(reason: "connection refused")), CheckOptions()) == .init(health: .down, status: "connection refused"))
        #expect(verdict(result(.response(code: 503, reason: "Service Unavailable")), CheckOptions()).status == "503 Service Unavailable")
        let only204 = CheckOptions(expect: StatusExpectation(ranges: [204...204]))
        #expect(verdict(result(ok), only204) == .init(health: .down, status: "200 OK (expected 204)"))
        #expect(verdict(result(.response(code: 204, reason: "No Content")), only204).health == .up)
        let notFoundIsFine = CheckOptions(expect: StatusExpectation(ranges: [404...404]))
        #expect(verdict(result(.response(code: 404, reason: "Not Found")), notFoundIsFine) == .init(health: .up, status: "404 Not Found"))
    }

    @Test func aSlowAnswerIsDownWhenAMaximumLatencyIsSet() {
        let options = CheckOptions(maxLatency: .milliseconds(500))
        #expect(verdict(result(ok), options, latency: .milliseconds(499)).health == .up)
        #expect(
            verdict(result(ok), options, latency: .milliseconds(1234)) == .init(health: .down, status: "200 OK, but took 1.2s (max-latency 500ms)")
        )
    }

    @Test func bodyConditionsNameWhatIsMissing() throws {
        let contains = CheckOptions(bodyContains: "ready")
        #expect(verdict(result(ok, body: "all ready"), contains).health == .up)
        #expect(verdict(result(ok, body: "starting"), contains).status == #"200 OK, but the body does not contain "ready""#)
        #expect(
            verdict(result(ok, body: String(repeating: "x", count: 2048), truncated: true), contains).status
                == #"200 OK, but the body does not contain "ready" in its first 2KiB"#
        )
        let matches = CheckOptions(bodyMatches: try BodyPattern("^v[0-9]+$"))
        #expect(verdict(result(ok, body: "v42"), matches).health == .up)
        #expect(verdict(result(ok, body: "v4x"), matches).status == "200 OK, but the body does not match /^v[0-9]+$/")
        #expect(throws: InputError("invalid regular expression /a(/")) { try BodyPattern("a(") }
    }

    @Test func aCertificateThatExpiresWithinTheWarningPeriodIsDown() {
        let options = CheckOptions(certExpiryWarning: .seconds(14 * 86_400))
        let later = now.addingTimeInterval(30 * 86_400)
        #expect(verdict(result(ok, expiry: later), options).health == .up)
        let soon = now.addingTimeInterval(3 * 86_400 + 7200)
        #expect(
            verdict(result(ok, expiry: soon), options).status
                == "200 OK, but the certificate expires in 3d2h (2030-03-20T19:46:40.000Z; cert-expiry-warning 14d)"
        )
        let past = now.addingTimeInterval(-60)
        #expect(verdict(result(ok, expiry: past), options).status.hasPrefix("200 OK, but the certificate expired ("))
        #expect(verdict(result(ok, expiry: soon), CheckOptions()).health == .up)
    }

    @Test func theFirstFailedConditionNamesTheResult() {
        let options = CheckOptions(expect: StatusExpectation(ranges: [200...200]), maxLatency: .milliseconds(10), bodyContains: "x")
        #expect(verdict(result(.response(code: 500, reason: "Internal Server Error")), options).status == "500 Internal Server Error (expected 200)")
        #expect(verdict(result(ok, body: ""), options, latency: .seconds(1)).status.contains("took"))
    }

    @Test func aRequestTakesItsSettingsFromTheOptions() {
        let options = CheckOptions(headers: [HeaderField(name: "A", value: "b")], bodyContains: "x", followRedirects: false, timeout: .seconds(3))
        let request = ProbeRequest(url: "http://h/", options: options, method: options.initialMethod, timeout: .seconds(10))
        #expect(request.method == .get && request.timeout == .seconds(3) && request.connectTimeout == .seconds(3))
        #expect(request.bodyLimit == 1 << 20 && !request.followRedirects && request.headers == options.headers)
        let plain = ProbeRequest(url: "http://h/", options: CheckOptions(), method: .head, timeout: .seconds(10))
        #expect(plain.timeout == .seconds(10) && plain.connectTimeout == .seconds(5) && plain.bodyLimit == 0)
    }
}
