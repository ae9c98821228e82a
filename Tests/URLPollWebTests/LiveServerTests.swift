import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// The real binary with `--listen`, checked by real clients: Python's `prometheus_client` parser for
/// /metrics and headless Chromium for the status page. `.ci/run` installs both and sets
/// `URLPOLL_REQUIRE_TOOLS=1`, which turns a missing tool into a failure instead of a skipped test.
@Suite(.timeLimit(.minutes(2)))
struct LiveServerTests {
    static let toolsRequired = Tool.required
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test func aPortInUseGivesOneMessageAndStatus64() async throws {
        try await FakeTarget.with { target in
            let result = try await URLPollProcess.run(["--listen", "127.0.0.1:\(target.port)", target.url("/ok")])
            #expect(result.status == 64)
            #expect(result.stderr.contains("--listen 127.0.0.1:\(target.port): cannot listen (address already in use)"))
        }
    }

    @Test(.enabled(if: Tool.hasPrometheusClient || toolsRequired, "needs python3 with prometheus_client"))
    func metricsParseWithThePrometheusClientParser() async throws {
        try await FakeTarget.with { target in
            let (process, base) = try await startServing([target.url("/ok"), target.url("/status/503")])
            defer { process.signal(SIGTERM) }
            let parsed = try #require(await Tool.run("/usr/bin/env", ["python3", Tool.script("parse_metrics.py"), base + "metrics"]))
            #expect(parsed.status == 0, "parser failed: \(parsed.stderr)")
            let families = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: [String: Any]])
            let expectedTypes = [
                "urlpoll_up": "gauge", "urlpoll_http_status_code": "gauge", "urlpoll_consecutive_failures": "gauge",
                "urlpoll_polls": "counter", "urlpoll_poll_duration_seconds": "histogram", "urlpoll_polls_in_flight": "gauge",
                "urlpoll_pending_urls": "gauge", "urlpoll_scheduling_lateness_seconds": "histogram", "urlpoll_build_info": "gauge",
                "urlpoll_poll_phase_seconds": "histogram",
            ]
            for (name, type) in expectedTypes {
                #expect(families[name]?["type"] as? String == type, "\(name)")
            }
            func value(_ family: String, _ sample: String, _ labels: [String: String]) -> Double? {
                let samples = families[family]?["samples"] as? [[Any]] ?? []
                return samples.first { ($0[0] as? String) == sample && ($0[1] as? [String: String]) == labels }?[2] as? Double
            }
            #expect(value("urlpoll_up", "urlpoll_up", ["url": target.url("/ok")]) == 1)
            #expect(value("urlpoll_up", "urlpoll_up", ["url": target.url("/status/503")]) == 0)
            #expect(value("urlpoll_http_status_code", "urlpoll_http_status_code", ["url": target.url("/status/503")]) == 503)
            #expect((value("urlpoll_polls", "urlpoll_polls_total", ["url": target.url("/ok"), "result": "up"]) ?? 0) >= 1)
            #expect((value("urlpoll_polls", "urlpoll_polls_total", ["url": target.url("/status/503"), "result": "down"]) ?? 0) >= 1)
            #expect(
                (value("urlpoll_poll_duration_seconds", "urlpoll_poll_duration_seconds_count", ["url": target.url("/ok")]) ?? 0) >= 1
            )
            // Every poll has a first byte; the first one on each connection also connected (by address: no DNS).
            let ttfb = value("urlpoll_poll_phase_seconds", "urlpoll_poll_phase_seconds_count", ["phase": "ttfb"]) ?? 0
            #expect(ttfb >= 2)
            #expect((value("urlpoll_poll_phase_seconds", "urlpoll_poll_phase_seconds_count", ["phase": "connect"]) ?? 0) >= 1)
            #expect(value("urlpoll_poll_phase_seconds", "urlpoll_poll_phase_seconds_count", ["phase": "dns"]) == 0)
            // SIGTERM stops the web server and the pollers together, cleanly.
            process.signal(SIGTERM)
            let result = try await process.finish()
            #expect(result.status == 0)
            #expect(result.stdout.split(separator: "\n").last?.contains("\"pending\":0") == true)
        }
    }

    @Test(.enabled(if: chromium != nil || toolsRequired, "needs chromium"))
    func thePageRendersInAHeadlessBrowserAndInjectedScriptsDoNotRun() async throws {
        let browser = try #require(Self.chromium, "chromium is not installed")
        try await FakeTarget.with { target in
            let hostile = target.url("/status/500?<script>document.body.setAttribute('data-pwned','yes')</script>")
            let (process, base) = try await startServing([target.url("/ok"), target.url("/redirect"), hostile])
            defer { process.signal(SIGTERM) }
            let profile = FileManager.default.temporaryDirectory.appendingPathComponent("urlpoll-chromium-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: profile) }
            let dump = try #require(
                await Tool.run(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)", "--dump-dom", base])
            )
            #expect(dump.status == 0, "chromium failed: \(dump.stderr)")
            let dom = dump.stdout
            #expect(dom.components(separatedBy: "<div class=\"row up\"").count - 1 == 2)
            #expect(dom.components(separatedBy: "<div class=\"row down\"").count - 1 == 1)
            #expect(dom.contains("<span class=\"badge down\">1 down</span>"))
            #expect(dom.contains("<span class=\"badge up\">2 up</span>"))
            #expect(!dom.contains("data-pwned=\"yes\""))
            // The latency cell's tooltip gives the last poll's phases.
            #expect(dom.contains("<span class=\"num\" title=\"") && dom.contains("ttfb "))
            #expect(dom.contains("&lt;script&gt;document.body.setAttribute('data-pwned','yes')&lt;/script&gt;"))
            // Each row links to the URL's page, which the browser renders with the last poll's phases.
            let id = StableID.of(target.url("/ok"))
            #expect(dom.contains("href=\"/urls/\(id)\""))
            let detail = try #require(
                await Tool.run(
                    browser,
                    ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(profile)", "--dump-dom", base + "urls/\(id)"]
                )
            )
            #expect(detail.status == 0, "chromium failed: \(detail.stderr)")
            #expect(detail.stdout.contains("<span class=\"badge up\">up</span>") && detail.stdout.contains("<tr><th>ttfb</th>"))
        }
    }

    /// Starts urlpoll with `--listen 127.0.0.1:0`, waits until it serves and every URL was polled.
    func startServing(_ urls: [String]) async throws -> (URLPollProcess, String) {
        let process = try URLPollProcess.start(["--listen", "127.0.0.1:0", "--interval", "1s", "--status-interval", "1s", "--format", "json"] + urls)
        try await process.waitForOutput { $0.contains("\"pending\":0") }
        let line = try #require(process.stderr.split(separator: "\n").first { $0.contains("serving the status page on ") })
        let base = String(line[line.range(of: "http://")!.lowerBound...]).trimmingCharacters(in: .whitespaces)
        return (process, base)
    }
}
