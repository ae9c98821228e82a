import Foundation
import Testing

@testable import URLPollTestSupport

/// Uptime is current from the first poll: a run of a few seconds with the default history shows
/// figures for the time it observed, in the final JSON report, on the page and in `/api/urls/{id}`.
@Suite(.timeLimit(.minutes(8)))
struct CurrentUptimeRunTests {
    @Test func aShortRunShowsTheUptimeItObserved() async throws {
        try await ExclusiveTests.run {
            try await SwitchTarget.with { target in
                target.setDown("down", true)
                target.setAlternating("flip")
                let process = try URLPollProcess.start([
                    "--format", "json", "--duration", "4s", "--status-interval", "1s", "--interval", "100ms", "--error-backoff", "0s",
                    "--listen", "127.0.0.1:0", target.url("up"), target.url("down"), target.url("flip"),
                ])
                try await process.waitForLog { $0.contains("serving the status page on http://127.0.0.1:") }
                let line = try #require(process.stderr.split(separator: "\n").first { $0.contains("serving the status page on ") })
                let web = "http://127.0.0.1:" + String(line.split(separator: ":").last!.prefix { $0.isNumber })
                try await target.waitForPolls("flip", atLeast: 8)
                try await target.waitForPolls("up", atLeast: 8)

                // While running: the API and the page.
                let status = try #require(
                    try JSONSerialization.jsonObject(with: Data(try await HTTPGet.text(web + "/api/status").utf8)) as? [String: Any]
                )
                let ids = Dictionary(
                    uniqueKeysWithValues: try #require(status["urls"] as? [[String: Any]]).map {
                        ($0["url"] as? String ?? "", $0["id"] as? String ?? "")
                    }
                )
                for (name, expected) in [("up", 1.0...1.0), ("down", 0.0...0.0), ("flip", 0.3...0.7)] {
                    let id = try #require(ids[target.url(name)])
                    let detail = try #require(
                        try JSONSerialization.jsonObject(with: Data(try await HTTPGet.text(web + "/api/urls/\(id)").utf8)) as? [String: Any]
                    )
                    let uptime = try #require(detail["uptime"] as? [String: Any], "\(name): \(detail)")
                    for window in ["1h", "24h", "7d", "30d"] {
                        let ratio = try #require(uptime[window] as? Double, "\(name) \(window): \(uptime)")
                        #expect(expected.contains(ratio), "\(name) \(window) in /api/urls: \(ratio)")
                    }
                    let page = try await HTTPGet.text(web + "/urls/\(id)")
                    let facts = try #require(Self.fact("uptime 24h / 7d / 30d", in: page), "\(name)'s page has no uptime")
                    let percents = facts.split(separator: "/").map { Double($0.trimmingCharacters(in: .whitespaces).dropLast()) ?? -1 }
                    #expect(percents.count == 3 && percents.allSatisfy { expected.contains($0 / 100) }, "\(name) on its page: \(facts)")
                }
                let page = try await HTTPGet.text(web + "/")
                #expect(page.contains("<span class=\"num\">24h</span>"), "the status page shows the uptime columns")

                let result = try await process.finish()
                #expect(result.status == 0)
                let last = try #require(result.stdout.split(separator: "\n").last)
                let report = try #require(try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any])
                let urls = try #require(report["urls"] as? [[String: Any]])
                for (name, expected) in [("up", 1.0...1.0), ("down", 0.0...0.0), ("flip", 0.3...0.7)] {
                    let entry = try #require(urls.first { $0["url"] as? String == target.url(name) })
                    let uptime = try #require(entry["uptime"] as? [String: Any])
                    for window in ["1h", "24h", "7d", "30d"] {
                        let ratio = try #require(uptime[window] as? Double, "the final report's \(name) \(window): \(uptime)")
                        #expect(expected.contains(ratio), "the final report's \(name) \(window): \(ratio)")
                    }
                }
            }
        }
    }

    @Test func aOnceRunShowsUptimeToo() async throws {
        try await SwitchTarget.with { target in
            let result = try await URLPollProcess.run(["--once", "--format", "json", target.url("up")])
            #expect(result.status == 0)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            let uptime = try #require((report["urls"] as? [[String: Any]])?.first?["uptime"] as? [String: Any])
            #expect(uptime["24h"] as? Double == 1, "\(uptime)")
        }
    }

    /// The value of the `<dt>name</dt><dd>value</dd>` pair on a URL's page.
    static func fact(_ name: String, in page: String) -> String? {
        guard let start = page.range(of: "<dt>\(name)</dt><dd>")?.upperBound, let end = page[start...].range(of: "</dd>")?.lowerBound else {
            return nil
        }
        return String(page[start..<end])
    }
}
