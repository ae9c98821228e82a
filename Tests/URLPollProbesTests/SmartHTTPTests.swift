import Foundation
import Logging
import NIOCore
import Testing
import URLPollCore
import URLPollProbes

@testable import URLPollTestSupport

/// Per-URL request settings and bounded bodies against real servers on 127.0.0.1, for both HTTP clients:
/// methods, headers, body conditions, endless and slow bodies, redirects, TLS and certificate expiry.
@Suite(.timeLimit(.minutes(1)))
struct SmartHTTPTests {
    @Test(arguments: ProbeKind.allCases)
    func aBodyConditionReadsTheBodyAndJudgesIt(kind: ProbeKind) async throws {
        try await FakeTarget.with { target in
            let matching = CheckOptions(bodyContains: #""status":"ok""#)
            let result = try await kind.results([target.url("/body")], options: matching, method: .get)[0]
            #expect(String(decoding: result.body, as: UTF8.self) == FakeTarget.bodyText)
            #expect(CheckVerdict(result, latency: .milliseconds(5), options: matching, now: Date()).health == .up)

            let missing = CheckOptions(bodyContains: "degraded")
            let verdict = CheckVerdict(result, latency: .milliseconds(5), options: missing, now: Date())
            #expect(verdict.health == .down)
            #expect(verdict.status == #"200 OK, but the body does not contain "degraded""#)

            let pattern = CheckOptions(bodyMatches: try BodyPattern(#""version":"1\.\d+\.\d+""#))
            #expect(CheckVerdict(result, latency: .milliseconds(5), options: pattern, now: Date()).health == .up)
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func anEndlessBodyIsReadOnlyUpToTheLimit(kind: ProbeKind) async throws {
        try await FakeTarget.with { target in
            let options = CheckOptions(bodyContains: "never there", maxBodyBytes: 100_000)
            // The limit ends this poll, not the clock: a generous timeout keeps a starved test machine from
            // turning it into a timeout.
            let result = try await kind.results([target.url("/endless")], options: options, method: .get, timeout: .seconds(30))[0]
            #expect(result.outcome.code == 200)
            #expect(result.body.count == 100_000)
            #expect(result.bodyTruncated)
            let verdict = CheckVerdict(result, latency: .milliseconds(5), options: options, now: Date())
            #expect(verdict.status == #"200 OK, but the body does not contain "never there" in its first 97.7KiB"#)
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func aGetThatNeedsNoBodyDoesNotWaitForIt(kind: ProbeKind) async throws {
        try await FakeTarget.with { target in
            let results = try await kind.results([target.url("/endless"), target.url("/big"), target.url("/ok")], method: .get)
            #expect(results.map(\.outcome.code) == [200, 200, 200])
            #expect(results.allSatisfy { $0.body.isEmpty })
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func aSlowBodyEndsAtTheTimeout(kind: ProbeKind) async throws {
        try await FakeTarget.with { target in
            let options = CheckOptions(bodyContains: "x", timeout: .seconds(1))
            // The body trickles for 30 s; the status text shows that the poll's own deadline ended it.
            let result = try await kind.results([target.url("/slowbody")], options: options, method: .get)[0]
            // The head comes at once, so the timeout strikes in the body; a starved test machine can delay even
            // the head past the timeout, which the status then says as plainly.
            let reasons: [ProbeOutcome] = [.failure(reason: "timed out after 1s reading the body"), .failure(reason: "timed out after 1s")]
            #expect(reasons.contains(result.outcome), "\(result.outcome)")
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func sendsTheConfiguredHeaders(kind: ProbeKind) async throws {
        try await FakeTarget.with { target in
            let withToken = CheckOptions(headers: [HeaderField(name: "Authorization", value: "Bearer s3cret")])
            let authorized = try await kind.results([target.url("/auth")], options: withToken)[0]
            let anonymous = try await kind.results([target.url("/auth")])[0]
            #expect(authorized.outcome.code == 200)
            #expect(anonymous.outcome.code == 401)
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func redirectsCanBeLeftUnfollowedAndOtherSchemesAreRefused(kind: ProbeKind) async throws {
        try await FakeTarget.with { target in
            let unfollowed = CheckOptions(followRedirects: false)
            let result = try await kind.results([target.url("/redirect")], options: unfollowed)[0]
            #expect(result.outcome == .response(code: 301, reason: "Moved Permanently"))
            let refused = try await kind.probe(target.url("/toftp"))
            #expect(refused == .failure(reason: #"redirect to an unsupported URL "ftp://files.invalid/x" refused"#))
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func aSelfSignedCertificateNeedsInsecureTLS(kind: ProbeKind) async throws {
        try await TLSTarget.with(validFor: 3 * 86_400) { target in
            let verified = try await kind.probe(target.url)
            guard case .failure(let reason) = verified else {
                Issue.record("expected a TLS failure, got \(verified)")
                return
            }
            #expect(reason.hasPrefix("TLS error"))
            let insecure = CheckOptions(insecureTLS: true)
            let result = try await kind.results([target.url], options: insecure)[0]
            #expect(result.outcome == .response(code: 200, reason: "OK"))
        }
    }

    @Test func theCertificateExpiryIsRecordedAndWarnedAbout() async throws {
        try await TLSTarget.with(validFor: 3 * 86_400) { target in
            let options = CheckOptions(insecureTLS: true, certExpiryWarning: .seconds(14 * 86_400))
            let result = try await ProbeKind.nio.results([target.url, target.url], options: options)[1]
            #expect(result.certificateExpiry == target.notValidAfter)
            let verdict = CheckVerdict(result, latency: .milliseconds(5), options: options, now: Date())
            #expect(verdict.health == .down)
            #expect(verdict.status.hasPrefix("200 OK, but the certificate expires in 2d23h ("))
            #expect(verdict.status.hasSuffix("; cert-expiry-warning 14d)"))
        }
    }

    @Test func theEngineFallsBackToGETAndRemembersIt() async throws {
        try await FakeTarget.with { target in
            let urls = [target.url("/nohead"), target.url("/head501")]
            var settings = Settings()
            settings.interval = .milliseconds(20)
            let targets = TargetList(urls.enumerated().map { URLListEntry(url: $0.element, origin: .argument(position: $0.offset + 1)) })
            let engine = PollingEngine(targets: targets, settings: settings, probe: try NIOProbe(), logger: Logger(label: "test")) { _ in }
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask { await engine.run() }
                await engine.waitUntilEveryURLIsPolled(3)
                await engine.scheduler.close()
            }
            let report = await engine.monitor.report()
            #expect(report.urls.allSatisfy { $0.health == .up && $0.method == .get && $0.status == "200 OK" })
            for path in ["/nohead", "/head501"] {
                #expect(await target.tracker.hits["HEAD \(path)"] == 1)
                #expect(await target.tracker.hits["GET \(path)", default: 0] >= 3)
            }
        }
    }
}

/// Connecting, TLS handshake included, is bounded by the connect timeout.
struct ConnectTimeoutTests {
    @Test func aTLSHandshakeThatNeverEndsIsCutAtTheConnectTimeout() async throws {
        try await MisbehavingTarget.with(.silence) { target in
            let options = CheckOptions(timeout: .seconds(5), connectTimeout: .milliseconds(300))
            let url = "https://127.0.0.1:\(target.port)/"
            // "TLS handshake timed out" (not "timed out after 5s") shows that the connect timeout ended it.
            let result = try await ProbeKind.nio.results([url], options: options)[0]
            #expect(result.outcome == .failure(reason: "TLS handshake timed out"))
        }
    }
}
