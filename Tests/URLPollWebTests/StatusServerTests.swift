import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Testing

@testable import URLPollCore
@testable import URLPollProbes
@testable import URLPollTestSupport
@testable import URLPollWeb

/// Every route of the web server, in process, against an engine polling a real loopback target.
@Suite(.timeLimit(.minutes(1)))
struct StatusServerTests {
    static let logger = Logger(label: "test")

    /// Runs an engine over `urls` until each was polled at least twice, then calls `body` with the router
    /// and the engine (still running).
    func withPolledEngine(
        _ urls: [String],
        _ body: @Sendable (Router<BasicRequestContext>, PollingEngine, PrometheusCollectorRegistry) async throws -> Void
    ) async throws {
        var settings = Settings()
        settings.pollers = 4
        settings.interval = .milliseconds(50)
        settings.errorBackoff = .zero
        settings.quiet = true
        let targets = TargetList(urls.enumerated().map { URLListEntry(url: $0.element, origin: .argument(position: $0.offset + 1)) })
        let registry = PrometheusCollectorRegistry()
        let metrics = PollMetrics(factory: PrometheusMetricsFactory(registry: registry))
        try await AsyncHTTPClientProbe.withProbe(.init(timeout: .seconds(20), connectionsPerHost: 4), logger: Self.logger) { probe in
            let engine = PollingEngine(targets: targets, settings: settings, probe: probe, logger: Self.logger, historyLength: 5, metrics: metrics) {
                _ in
            }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await engine.run() }
                await engine.waitUntilEveryURLIsPolled(2)
                try await body(StatusServer.router(engine: engine, registry: registry, refreshSeconds: 10), engine, registry)
                await engine.scheduler.close()
                try await tasks.waitForAll()
            }
        }
    }

    @Test func thePageShowsCountsBadgesAndEscapedTextWithDownURLsFirst() async throws {
        try await FakeTarget.with { target in
            let hostile = target.url("/status/500?<script>document.title='pwned'</script>")
            try await withPolledEngine([target.url("/ok"), hostile]) { router, _, _ in
                try await Application(router: router).test(.router) { client in
                    try await client.execute(uri: "/", method: .get) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                        let html = String(buffer: response.body)
                        #expect(html.contains("<span class=\"badge down\">1 down</span>"))
                        #expect(html.contains("<span class=\"badge up\">1 up</span>"))
                        #expect(!html.contains("<script>"))
                        #expect(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"))
                        let down = try #require(html.range(of: "<div class=\"row down\""))
                        let up = try #require(html.range(of: "<div class=\"row up\""))
                        #expect(down.lowerBound < up.lowerBound)
                        #expect(html.contains("<svg class=\"spark\""))
                        #expect(html.contains("http-equiv=\"refresh\" content=\"10\""))
                    }
                    try await client.execute(uri: "/", method: .head) { response in
                        #expect(response.status == .ok)
                    }
                }
            }
        }
    }

    @Test func theStatusAPIServesOneJSONReportAndEachURLByItsID() async throws {
        try await FakeTarget.with { target in
            try await withPolledEngine([target.url("/ok"), target.url("/status/503")]) { router, _, _ in
                try await Application(router: router).test(.router) { client in
                    let ids = try await client.execute(uri: "/api/status", method: .get) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentType] == "application/json")
                        let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                        #expect(object["up"] as? Int == 1 && object["down"] as? Int == 1)
                        let urls = try #require(object["urls"] as? [[String: Any]])
                        return urls.compactMap { $0["id"] as? String }
                    }
                    #expect(ids == [StableID.of(target.url("/ok")), StableID.of(target.url("/status/503"))])
                    try await client.execute(uri: "/api/urls/\(ids[1])", method: .get) { response in
                        #expect(response.status == .ok)
                        let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
                        #expect(object["url"] as? String == target.url("/status/503"))
                        #expect(object["code"] as? Int == 503)
                        let recent = try #require(object["recent"] as? [[String: Any]])
                        #expect(recent.count >= 2 && recent.count <= 5)
                        #expect(recent.allSatisfy { $0["state"] as? String == "down" && $0["latency_ms"] is Double })
                    }
                    try await client.execute(uri: "/api/urls/0123456789abcdef", method: .get) { response in
                        #expect(response.status == .notFound)
                    }
                    // The page of one URL: its state, and where the last poll's time went.
                    try await client.execute(uri: "/urls/\(ids[1])", method: .get) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentType] == "text/html; charset=utf-8")
                        let html = String(buffer: response.body)
                        #expect(html.contains("<span class=\"badge down\">down</span>") && html.contains("503 Service Unavailable"))
                        #expect(html.contains("Where the last poll's time went") && html.contains("<tr><th>ttfb</th><td class=\"num\">"))
                        #expect(html.contains("<a href=\"/api/urls/\(ids[1])\">JSON</a>"))
                    }
                    try await client.execute(uri: "/urls/0123456789abcdef", method: .get) { response in
                        #expect(response.status == .notFound)
                    }
                    try await client.execute(uri: "/healthz", method: .get) { response in
                        #expect(response.status == .ok && String(buffer: response.body) == "ok\n")
                    }
                }
            }
        }
    }

    @Test func metricsAreServedInThePrometheusTextFormat() async throws {
        try await FakeTarget.with { target in
            try await withPolledEngine([target.url("/ok"), target.url("/status/404")]) { router, _, _ in
                try await Application(router: router).test(.router) { client in
                    try await client.execute(uri: "/metrics", method: .get) { response in
                        #expect(response.status == .ok)
                        #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                        let text = String(buffer: response.body)
                        #expect(text.contains("urlpoll_up{url=\"\(target.url("/ok"))\"} 1"))
                        #expect(text.contains("urlpoll_up{url=\"\(target.url("/status/404"))\"} 0"))
                        #expect(text.contains("urlpoll_http_status_code{url=\"\(target.url("/status/404"))\"} 404"))
                        #expect(text.contains("# TYPE urlpoll_poll_duration_seconds histogram"))
                        #expect(text.contains("# TYPE urlpoll_polls_total counter"))
                        #expect(text.contains("urlpoll_build_info{version=\"\(URLPollVersion.current)\"} 1"))
                        #expect(text.contains("# TYPE urlpoll_scheduling_lateness_seconds histogram"))
                    }
                }
            }
        }
    }
}

struct StatusPageTests {
    @Test func escapesEveryCharacterThatCouldOpenMarkup() {
        #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
    }

    @Test func showsAConfiguredNameBeforeTheURLEscaped() {
        let record = URLRecord(id: 0, url: "http://h/", name: "<API>", since: Date())
        let html = StatusPage.render(Report(time: Date(), up: 0, down: 0, pending: 1, urls: [record]), history: [], refreshSeconds: 5)
        #expect(html.contains("<b>&lt;API&gt;</b> http://h/</a>"))
    }

    @Test func sparklinesMarkDownResultsAndScaleToTheSlowest() {
        let now = Date()
        let results = [
            RecentResults.Result(checkedAt: now, latency: .milliseconds(10), up: true),
            RecentResults.Result(checkedAt: now, latency: .milliseconds(40), up: false),
        ]
        let svg = Sparkline.svg(results)
        #expect(svg.contains("<polyline points=\"2,17 118,3\"/>"))
        #expect(svg.components(separatedBy: "<rect").count == 2)
        #expect(Sparkline.svg([]) == "")
    }

    @Test func recentResultsKeepTheLastNOldestFirst() {
        var recent = RecentResults(capacity: 3)
        for ms in 1...5 { recent.append(.init(checkedAt: Date(), latency: .milliseconds(Int64(ms)), up: true)) }
        #expect(recent.results.map(\.latencyMicroseconds) == [3000, 4000, 5000])
    }

    @Test(arguments: [
        ("8080", ListenAddress(host: "127.0.0.1", port: 8080)),
        (":9000", ListenAddress(host: "127.0.0.1", port: 9000)),
        ("0.0.0.0:80", ListenAddress(host: "0.0.0.0", port: 80)),
        ("[::1]:8080", ListenAddress(host: "::1", port: 8080)),
        ("localhost:0", ListenAddress(host: "localhost", port: 0)),
    ])
    func parsesListenAddresses(text: String, expected: ListenAddress) throws {
        #expect(try ListenAddress(parsing: text) == expected)
    }

    @Test(arguments: ["", "host", "host:", "1.2.3.4:70000", "::1:80", "[::1]8080"])
    func rejectsMalformedListenAddresses(text: String) {
        #expect(throws: InputError.self) { try ListenAddress(parsing: text) }
    }

    @Test func stableIDsDependOnlyOnTheURL() {
        #expect(StableID.of("http://a/") == StableID.of("http://a/"))
        #expect(StableID.of("http://a/") != StableID.of("http://b/"))
        #expect(StableID.of("").count == 16)
    }
}

struct URLMetricsExpositionTests {
    @Test func labelValuesAreEscapedAndHistogramsAreCumulative() {
        var record = URLRecord(id: 0, url: "http://h/\"q\"\\x", name: "API \"v2\"", since: Date())
        let expiry = Date(timeIntervalSince1970: 1_900_000_000)
        let state = State(
            resourceID: 0,
            health: .up,
            status: "200 OK",
            code: 200,
            latency: .milliseconds(30),
            checkedAt: Date(),
            consecutiveFailures: 0,
            certificateExpiry: expiry
        )
        record.apply(state)
        var series = URLSeries()
        series.record(up: true, duration: .milliseconds(30))
        series.record(up: false, duration: .seconds(20))
        let text = URLMetricsExposition.render(records: [record], ids: [0], series: [series])
        let label = "url=\"http://h/\\\"q\\\"\\\\x\",name=\"API \\\"v2\\\"\""
        #expect(text.contains("urlpoll_cert_expiry_timestamp_seconds{\(label)} 1900000000\n"))
        #expect(text.contains("urlpoll_up{\(label)} 1\n"))
        #expect(text.contains("urlpoll_polls_total{\(label),result=\"down\"} 1\n"))
        #expect(text.contains("urlpoll_poll_duration_seconds_bucket{\(label),le=\"0.025\"} 0\n"))
        #expect(text.contains("urlpoll_poll_duration_seconds_bucket{\(label),le=\"0.05\"} 1\n"))
        #expect(text.contains("urlpoll_poll_duration_seconds_bucket{\(label),le=\"10.0\"} 1\n"))
        #expect(text.contains("urlpoll_poll_duration_seconds_bucket{\(label),le=\"+Inf\"} 2\n"))
        #expect(text.contains("urlpoll_poll_duration_seconds_count{\(label)} 2\n"))
    }

    /// The `url` label is the shown URL; two URLs that differ only in a redacted token are told apart by
    /// their ids, so every series stays unique.
    @Test func urlsThatLookTheSameAfterRedactionAreToldApartByTheirIds() {
        let urls: [TargetURL] = ["http://h/x?token=one", "http://h/x?token=two", "http://h/y?token=three"]
        let records = urls.enumerated().map { index, url in
            var record = URLRecord(id: index, url: url, since: Date())
            record.apply(
                State(resourceID: index, health: .up, status: "200 OK", code: 200, latency: .zero, checkedAt: Date(), consecutiveFailures: 0)
            )
            return record
        }
        let lines = URLMetricsExposition.render(records: records, ids: [0, 1, 2], series: []).split(separator: "\n").filter {
            $0.hasPrefix("urlpoll_up{")
        }
        #expect(
            lines == [
                "urlpoll_up{url=\"http://h/x?token=<redacted>\",id=\"\(urls[0].stableID)\"} 1",
                "urlpoll_up{url=\"http://h/x?token=<redacted>\",id=\"\(urls[1].stableID)\"} 1",
                "urlpoll_up{url=\"http://h/y?token=<redacted>\"} 1",
            ]
        )
        #expect(!lines.joined().contains("one") && !lines.joined().contains("three"))
    }
}
