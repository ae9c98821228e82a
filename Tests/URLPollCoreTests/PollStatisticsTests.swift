import Foundation
import Testing
import URLPollCore

@testable import URLPollTestSupport

struct PollStatisticsTests {
    let start = ContinuousClock.now

    func state(_ id: Int, _ outcome: ProbeOutcome, latencyMS: Int, latenessMS: Int? = nil) -> State {
        State(
            resourceID: id,
            outcome: outcome,
            latency: .milliseconds(latencyMS),
            checkedAt: Date(),
            consecutiveFailures: 0,
            lateness: latenessMS.map { .milliseconds($0) }
        )
    }

    @Test func countsPollsByResultAndFindsTheEndOfTheFirstRound() {
        var statistics = PollStatistics(urlCount: 2, start: start)
        statistics.record(state(0, .response(code: 200, reason: "OK"), latencyMS: 10), isFirstPoll: true, at: start + .seconds(1))
        statistics.record(state(0, .response(code: 302, reason: "Found"), latencyMS: 20, latenessMS: 3), isFirstPoll: false, at: start + .seconds(2))
        #expect(statistics.firstRoundDone == nil)
        statistics.record(state(1, .failure(reason: "connection refused"), latencyMS: 30), isFirstPoll: true, at: start + .seconds(3))
        #expect(statistics.firstRoundDone == .seconds(3))
        #expect((statistics.polls, statistics.ok, statistics.errors, statistics.non2xx) == (3, 2, 1, 1))
        #expect(statistics.latency.totalCount == 3)
        #expect(statistics.lateness.totalCount == 1)
        #expect(statistics.latency.max >= 29_000 && statistics.latency.max <= 30_500)
    }

    @Test func theRunSummaryHasEveryKeyTheBenchmarkKitReads() throws {
        var statistics = PollStatistics(urlCount: 3, start: start)
        statistics.record(state(0, .response(code: 200, reason: "OK"), latencyMS: 10), isFirstPoll: true, at: start)
        let usage = ProcessUsage(userCPU: .milliseconds(300), systemCPU: .milliseconds(100), peakResidentKiB: 20_000, maxRSSKiB: 30_000)
        let summary = RunSummary(statistics: statistics, pollsPerURL: [1, 0, 0], elapsed: .seconds(2), process: usage)
        let line = summary.json(pollers: 8)
        #expect(line.hasSuffix("}\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        for key in StatsKeys.benchmark { #expect(object[key] != nil, "missing \(key)") }
        #expect(object["polls"] as? Int == 1 && object["urls"] as? Int == 3)
        #expect(object["per_url_polls_min"] as? Int == 0 && object["per_url_polls_max"] as? Int == 1)
        #expect(object["first_round_s"] as? Int == -1)
        #expect(object["cpu_us_per_poll"] as? Int == 400_000)
        #expect(object["vm_hwm_kb"] as? Int == 20_000)
        #expect((object["per_url_polls_hist"] as? [String: Int]) == ["0": 2, "1": 1])
    }
}
