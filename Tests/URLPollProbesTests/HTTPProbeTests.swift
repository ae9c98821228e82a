import Foundation
import Logging
import NIOCore
import Testing
import URLPollCore
import URLPollProbes

@testable import URLPollApp
@testable import URLPollTestSupport

/// The HTTP clients that implement ``Probe``; every test below runs against each.
enum ProbeKind: String, CaseIterable, Sendable {
    case nio
    case asyncHTTPClient

    /// Polls each of `urls` in turn in one session (so keep-alive connections are reused) of a new probe.
    func results(
        _ urls: [String],
        options: CheckOptions = CheckOptions(),
        method: CheckMethod = .head,
        between: @Sendable () async -> Void = {},
        timeout: Duration = HTTPProbeTests.timeout
    ) async throws -> [ProbeResult] {
        try await withProbe(timeout: timeout) { probe in
            let session = probe.makeSession()
            var results: [ProbeResult] = []
            for url in urls {
                if !results.isEmpty { await between() }
                let request = ProbeRequest(url: url, options: options, method: method, timeout: timeout)
                results.append(await session.probe(request, deadline: .now() + TimeAmount(options.timeout ?? timeout)))
            }
            session.close()
            return results
        }
    }

    /// The outcome of each of `urls`, polled with HEAD in one session.
    func probe(
        _ urls: [String],
        between: @Sendable () async -> Void = {},
        timeout: Duration = HTTPProbeTests.timeout
    ) async throws -> [ProbeOutcome] {
        try await results(urls, between: between, timeout: timeout).map(\.outcome)
    }

    func probe(_ url: String) async throws -> ProbeOutcome {
        try await probe([url])[0]
    }

    /// Runs `body` with a probe of this kind, shut down afterwards. `connectTimeout` is the client's
    /// own setting for async-http-client (NIOProbe takes it per request, from the options).
    func withProbe<T: Sendable>(
        timeout: Duration = HTTPProbeTests.timeout,
        connectTimeout: Duration? = nil,
        _ body: (any Probe) async throws -> T
    ) async throws -> T {
        var settings = Settings()
        settings.timeout = timeout
        settings.connectTimeout = connectTimeout
        settings.pollers = 8
        return try await URLPollApplication.withProbe(self == .nio ? .nio : .asyncHTTPClient, settings: settings, logger: Logger(label: "test")) {
            try await body($0)
        }
    }
}

/// The probe contract against real servers on 127.0.0.1: each kind of answer and failure gives the right
/// status, for both HTTP clients.
/// Serialized: its answers and timeouts are timed against in-process servers; run side by side (and beside
/// the rest of the suite starting up) they have seen a loaded 2-core machine stall a server past a 5 s timeout.
@Suite(.serialized, .timeLimit(.minutes(1)))
struct HTTPProbeTests {
    /// Generous, so that a loaded machine (CI runs these in parallel) never turns an answer into a timeout.
    static let timeout = Duration.seconds(5)

    static let wellBehaved: [(String, ProbeOutcome)] = [
        ("/ok", .response(code: 200, reason: "OK")),
        ("/status/204", .response(code: 204, reason: "No Content")),
        ("/status/404", .response(code: 404, reason: "Not Found")),
        ("/status/503", .response(code: 503, reason: "Service Unavailable")),
        ("/redirect", .response(code: 200, reason: "OK")),
        ("/chain/10", .response(code: 200, reason: "OK")),
        ("/chain/11", .failure(reason: "too many redirects")),
        ("/loop", .failure(reason: "redirect loop")),
        ("/slow/9000", .failure(reason: "timed out after 5s")),
    ]

    @Test(arguments: ProbeKind.allCases, wellBehaved)
    func reportsWhatAWellBehavedServerAnswers(kind: ProbeKind, example: (path: String, expected: ProbeOutcome)) async throws {
        let outcome = try await FakeTarget.with { target in try await kind.probe(target.url(example.path)) }
        #expect(outcome == example.expected)
    }

    static let hostile: [(MisbehavingTarget.Behaviour, String)] = [
        (.garbage, "invalid HTTP response"),
        (.reset, "connection reset by peer"),
        (.silence, "timed out after 5s"),
        (.close, "connection closed by server before a complete response"),
        (.endlessHeaders, "invalid HTTP response (too many header bytes"),
        (.trickle, "timed out after 5s"),
    ]

    @Test(arguments: ProbeKind.allCases, hostile)
    func reportsHostileServersAsFailuresWithinTheTimeout(kind: ProbeKind, example: (behaviour: MisbehavingTarget.Behaviour, reason: String))
        async throws
    {
        let outcome = try await MisbehavingTarget.with(example.behaviour) { target in try await kind.probe(target.url) }
        guard case .failure(let text) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(text.hasPrefix(example.reason))
        #expect(CheckVerdict(outcome).health == .down)
    }

    @Test(arguments: ProbeKind.allCases)
    func reportsARefusedConnection(kind: ProbeKind) async throws {
        let closedPort = try await MisbehavingTarget.with(.close) { $0.port }
        let outcome = try await kind.probe("http://127.0.0.1:\(closedPort)/")
        #expect(outcome == .failure(reason: "connection refused"))
    }

    /// A listener whose accept queue is full never completes a connect: each client gives up after its
    /// connect timeout, well within the poll's timeout.
    @Test(arguments: ProbeKind.allCases)
    func honoursTheConnectTimeout(kind: ProbeKind) async throws {
        let listener = try UnacceptingListener()
        let outcome = try await kind.withProbe(timeout: .seconds(20), connectTimeout: .milliseconds(300)) { probe in
            let session = probe.makeSession()
            defer { session.close() }
            let options = CheckOptions(connectTimeout: .milliseconds(300))
            let request = ProbeRequest(url: listener.url, options: options, method: .head, timeout: .seconds(20))
            return await session.probe(request, deadline: .now() + .seconds(20)).outcome
        }
        #expect(outcome == .failure(reason: "connect timed out"))
    }

    @Test(arguments: ProbeKind.allCases)
    func reportsTLSFailures(kind: ProbeKind) async throws {
        let outcome = try await FakeTarget.with { target in try await kind.probe("https://127.0.0.1:\(target.port)/ok") }
        guard case .failure(let text) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(text.hasPrefix("TLS error: handshake failed ("))
        #expect(!text.contains("/"))  // no source paths from inside BoringSSL
    }

    @Test func aDeadlineTimerSetForAnEarlierRequestNeitherCutsNorMissesALaterOne() async throws {
        try await FakeTarget.with { target in
            try await ProbeKind.nio.withProbe { probe in
                let session = probe.makeSession()
                func poll(_ path: String, timeout: Duration) async -> ProbeOutcome {
                    let request = ProbeRequest(url: target.url(path), options: CheckOptions(), method: .head, timeout: timeout)
                    return await session.probe(request, deadline: .now() + TimeAmount(timeout)).outcome
                }
                // The connection's timer is set for the first request's deadline, 2 s away; the second
                // request, on the same connection, is still waiting then and has until 8 s.
                #expect(await poll("/ok", timeout: .seconds(2)) == .response(code: 200, reason: "OK"))
                #expect(await poll("/slow/3000", timeout: .seconds(8)) == .response(code: 200, reason: "OK"))
                #expect(await poll("/slow/5000", timeout: .seconds(1)) == .failure(reason: "timed out after 1s"))
                session.close()
            }
        }
    }

    @Test func aConnectionThatSentBytesAfterTheResponseIsNotReused() async throws {
        try await MisbehavingTarget.with(.strayBytesAfterResponse) { target in
            let outcomes = try await ProbeKind.nio.probe([target.url, target.url, target.url])
            // Reused, the next answer would start with the stray bytes and be invalid.
            #expect(outcomes.map(\.code) == [200, 200, 200])
            #expect(target.counters.connections.load(ordering: .relaxed) == 3)
        }
    }

    /// Each malformed framing is a failed poll with its own status text, and its connection is closed,
    /// never pooled: the second poll opens a new connection.
    @Test(arguments: MalformedResponses.all)
    func aMalformedResponseFailsThePollAndItsConnectionIsNeverReused(text: String, reason: String) async throws {
        try await MisbehavingTarget.with(.answers(text)) { target in
            // GET with a body condition, so that the body is read (and its framing checked) too.
            let results = try await ProbeKind.nio.results([target.url, target.url], options: CheckOptions(bodyContains: "x"), method: .get)
            #expect(results.map(\.outcome) == Array(repeating: .failure(reason: "invalid HTTP response (\(reason))"), count: 2))
            #expect(target.counters.connections.load(ordering: .relaxed) == 2)
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func pollsInOneSessionShareConnections(kind: ProbeKind) async throws {
        try await FakeTarget.with { target in
            let urls = [target.url("/ok"), target.url("/status/404"), target.url("/redirect"), target.url("/ok")]
            let outcomes = try await kind.probe(urls)
            #expect(outcomes.map(\.code) == [200, 404, 200, 200])
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func aKeepAliveConnectionTheServerClosedIsReplaced(kind: ProbeKind) async throws {
        try await MisbehavingTarget.with(.okThenHangUp) { target in
            // Each next poll starts once the server has closed the connection the previous one left idle.
            let counters = target.counters
            let outcomes = try await kind.probe([target.url, target.url, target.url]) { await counters.waitForEveryHangUp() }
            // async-http-client sometimes sends on the connection the server just closed and reports a failure
            // (seen here about one run in three); NIOProbe retries once on a new connection. See BENCHMARKS.md.
            withKnownIssue("async-http-client can fail a request on a keep-alive connection closed while idle", isIntermittent: true) {
                #expect(outcomes.map(\.code) == [200, 200, 200], "\(outcomes)")
            } when: {
                kind == .asyncHTTPClient
            }
        }
    }
}
