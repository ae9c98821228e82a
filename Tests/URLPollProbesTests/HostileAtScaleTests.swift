import Foundation
import Logging
import Testing

@testable import URLPollCore
@testable import URLPollProbes
@testable import URLPollTestSupport

/// 1,000 URLs, four fifths of them on servers that stall, reset, send garbage or trickle their headers,
/// polled by 64 pollers: every poll ends (the longest is measured, and bounded here generously so that a
/// loaded machine cannot make it flaky; `scripts/hostile` records the real figure and the healthy URLs'
/// cadence in BENCHMARKS.md), every hostile URL is down with its reason (or, on a starved machine, with
/// the timeout), and the healthy ones go on being polled while the hostile ones back off.
@Suite(.timeLimit(.minutes(8)))
struct HostileAtScaleTests {
    static let perKind = 200
    /// Long enough that a reset or garbage server answers within it even while the other suites load
    /// the machine (at 1 s and at 2 s, a stall of the in-process servers at the suite's start turned some
    /// of their answers into timeouts).
    static let timeout = Duration.seconds(3)

    @Test func hostileServersNeitherHangNorStarveTheHealthyURLs() async throws {
        try await ExclusiveTests.run { try await Self.hostileServers() }
    }

    static func hostileServers() async throws {
        try await FakeTarget.with { healthy in
            try await MisbehavingTarget.with(.silence) { stall in
                try await MisbehavingTarget.with(.reset) { reset in
                    try await MisbehavingTarget.with(.garbage) { garbage in
                        try await MisbehavingTarget.with(.trickle) { trickle in
                            let hostile: [(String, String)] = [
                                (stall.url, "timed out after 3s"), (reset.url, "connection reset by peer"),
                                (garbage.url, "invalid HTTP response (not an HTTP status line)"), (trickle.url, "timed out after 3s"),
                            ]
                            try await Self.run(healthy: healthy.url("/ok"), hostile: hostile)
                        }
                    }
                }
            }
        }
    }

    static func run(healthy: String, hostile: [(base: String, reason: String)]) async throws {
        var entries: [URLListEntry] = []
        var expected: [String: String] = [:]
        for (base, reason) in hostile {
            for n in 0..<perKind {
                let url = "\(base)?n=\(n)"
                expected[url] = reason
                entries.append(URLListEntry(url: url, origin: .argument(position: entries.count + 1)))
            }
        }
        let healthyURLs = (0..<perKind).map { "\(healthy)?n=\($0)" }
        entries += healthyURLs.map { URLListEntry(url: $0, origin: .argument(position: entries.count + 1)) }
        var settings = Settings()
        settings.pollers = 64
        settings.timeout = timeout
        settings.interval = .milliseconds(300)
        settings.errorBackoff = .seconds(30)  // each hostile URL is polled once in this run
        let engine = PollingEngine(
            targets: TargetList(entries),
            settings: settings,
            probe: try NIOProbe(),
            logger: Logger.silent
        ) { _ in }
        let runner = Task { await engine.run() }
        // The first round: 400 polls of three seconds each (stalled and trickling servers) over 64 pollers.
        await engine.waitUntil { $0.pending == 0 }
        let before = Dictionary(uniqueKeysWithValues: await engine.monitor.report().urls.map { ($0.url.shown, $0.polls) })
        // Then the healthy URLs go on being polled on their interval while the hostile ones back off:
        // five more polls each (about 1.5 s at a 300 ms interval; `scripts/hostile` measures the cadence).
        let healthy = Set(healthyURLs)
        await engine.waitUntil { report in
            report.urls.allSatisfy { !healthy.contains($0.url.shown) || $0.polls >= (before[$0.url.shown] ?? 0) + 5 }
        }
        let report = await engine.monitor.report()
        let summary = await engine.monitor.summary(process: .current())
        await engine.scheduler.close()
        await runner.value

        // A machine starved for longer than the timeout (the whole suite runs beside this test) turns a
        // reset or a garbage answer into a timeout, which is the right result then too; each kind's own
        // reason must still be what most of its URLs show.
        let timedOut = "timed out after \(DurationFormat.format(timeout))"
        var shown: [String: Int] = [:]
        for record in report.urls {
            if let reason = expected[record.url.shown] {
                #expect(record.health == .down && (record.status == reason || record.status == timedOut), "\(record.url): \(record.status)")
                if record.status == reason { shown[reason, default: 0] += 1 }
            } else {
                #expect(record.health == .up, "\(record.url): \(record.status)")
                #expect(record.polls - (before[record.url.shown] ?? 0) >= 5)
            }
        }
        for reason in Set(expected.values) {
            #expect(shown[reason, default: 0] >= perKind / 2, "\(reason): \(shown[reason, default: 0]) URLs")
        }
        let longest = Duration.microseconds(summary.statistics.latency.max)
        print("hostile at scale: \(summary.statistics.polls) polls, the longest \(longest) (timeout \(timeout))")
        #expect(longest < timeout + .seconds(2), "a poll outlasted its timeout: \(longest)")
    }
}
