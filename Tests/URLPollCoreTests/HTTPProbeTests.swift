import Logging
import Testing
import URLPollCore

/// The probe against real servers on 127.0.0.1: each kind of answer and failure gives the right status.
@Suite(.timeLimit(.minutes(1)))
struct HTTPProbeTests {
    static let timeout = Duration.seconds(2)

    func probe(_ url: String) async throws -> ProbeOutcome {
        try await HTTPProbe.withProbe(.init(timeout: Self.timeout, connectionsPerHost: 4), logger: Logger(label: "test")) { probe in
            await probe.probe(url)
        }
    }

    @Test(arguments: [
        ("/ok", ProbeOutcome.response(code: 200, reason: "OK")),
        ("/status/204", .response(code: 204, reason: "No Content")),
        ("/status/404", .response(code: 404, reason: "Not Found")),
        ("/status/503", .response(code: 503, reason: "Service Unavailable")),
        ("/redirect", .response(code: 200, reason: "OK")),
        ("/chain/10", .response(code: 200, reason: "OK")),
        ("/chain/11", .failure(reason: "too many redirects")),
        ("/loop", .failure(reason: "redirect loop")),
        ("/slow/5000", .failure(reason: "timed out after 2s")),
    ])
    func reportsWhatAWellBehavedServerAnswers(path: String, expected: ProbeOutcome) async throws {
        let outcome = try await FakeTarget.with { target in try await probe(target.url(path)) }
        #expect(outcome == expected)
    }

    @Test(arguments: [
        (MisbehavingTarget.Behaviour.garbage, "invalid HTTP response"),
        (.reset, "connection reset by peer"),
        (.silence, "timed out after 2s"),
        (.close, "connection closed by server before a complete response"),
        (.endlessHeaders, "invalid HTTP response (too many header bytes"),
        (.trickle, "timed out after 2s"),
    ])
    func reportsHostileServersAsFailuresWithinTheTimeout(behaviour: MisbehavingTarget.Behaviour, reason: String) async throws {
        let outcome = try await MisbehavingTarget.with(behaviour) { target in try await probe(target.url) }
        guard case .failure(let text) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(text.hasPrefix(reason))
        #expect(Health(outcome) == .down)
    }

    @Test func reportsARefusedConnection() async throws {
        let closedPort = try await MisbehavingTarget.with(.close) { $0.port }
        let outcome = try await probe("http://127.0.0.1:\(closedPort)/")
        #expect(outcome == .failure(reason: "connection refused"))
    }

    @Test func reportsTLSFailures() async throws {
        let outcome = try await FakeTarget.with { target in try await probe("https://127.0.0.1:\(target.port)/ok") }
        guard case .failure(let text) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(text.hasPrefix("TLS error"))
    }
}
