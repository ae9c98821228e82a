import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// Honest uptime: unknown time (not running, not yet polled) is not down; clock changes never give more
/// than 100 % or a negative duration. Pure, on times the test chooses.
struct UptimeArithmeticTests {
    typealias Span = UptimeArithmetic.Span
    let base = 1_800_000_000.0

    func span(_ start: Double, _ end: Double) -> Span { Span(start: base + start, end: base + end) }

    @Test func downTimeCountsOnlyWhereTheStateWasKnown() {
        // Known 0–100 and 200–300 (urlpoll was stopped in between); down 50–250 (an outage across the stop).
        let time = UptimeArithmetic.time(coverage: [span(0, 100), span(200, 300)], down: [span(50, 250)], within: span(0, 300))
        #expect(time.known == 200)
        #expect(time.up == 100)  // down 50–100 and 200–250: 100 of the 200 known seconds
        #expect(UptimeArithmetic.ratio(coverage: [span(0, 100), span(200, 300)], down: [span(50, 250)], within: span(0, 300)) == 0.5)
    }

    @Test func theWindowCutsSpansAtItsEdges() {
        let coverage = [span(0, 1000)]
        let down = [span(900, 950)]
        #expect(UptimeArithmetic.time(coverage: coverage, down: down, within: span(800, 1000)) == (200, 150))
        #expect(UptimeArithmetic.time(coverage: coverage, down: down, within: span(0, 500)) == (500, 500))
        #expect(UptimeArithmetic.ratio(coverage: coverage, down: down, within: span(2000, 3000)) == nil)
    }

    @Test func timeBeforeTheFirstPollIsUnknownNotDown() {
        // First polled at 3000 of a 3600 s hour, up since: 100 %, not 17 %.
        let uptime = UptimeArithmetic.uptime(coverage: [span(3000, 3600)], down: [], now: Date(timeIntervalSince1970: base + 3600))
        #expect(uptime[.hour] == 1)
        #expect(uptime[.day] == 1)
        #expect(UptimeArithmetic.uptime(coverage: [], down: [], now: Date(timeIntervalSince1970: base)) == .unknown)
    }

    @Test func clockChangesNeverGiveMoreThanAllOrLessThanNothing() {
        // The clock went back 600 s during a run: the second run's span overlaps the first, a span ends
        // before it starts, and an outage ends before it starts.
        let coverage = [span(0, 1000), span(400, 1500), span(2000, 1800)]
        let down = [span(900, 1200), span(1300, 1250), span(100, 5000)]
        let (known, up) = UptimeArithmetic.time(coverage: coverage, down: down, within: span(0, 3000))
        #expect(known == 1500)  // 0–1500 once, however many spans cover it
        #expect(up >= 0 && up <= known)
        #expect(up == 100)  // only 0–100 is known and not down
        for window in [span(0, 3000), span(-5000, 0), span(1400, 1600), span(1600, 1400)] {
            let ratio = UptimeArithmetic.ratio(coverage: coverage, down: down, within: window)
            #expect(ratio == nil || (0...1).contains(ratio!))
        }
    }

    @Test func overlappingOutagesAreCountedOnce() {
        let time = UptimeArithmetic.time(coverage: [span(0, 100)], down: [span(10, 60), span(40, 80), span(70, 90)], within: span(0, 100))
        #expect(time == (100, 20))
    }

    @Test func windowsEndNow() {
        // Down for the last 30 minutes of a week of known time.
        let now = Date(timeIntervalSince1970: base + 7 * 86_400)
        let uptime = UptimeArithmetic.uptime(coverage: [span(0, 7 * 86_400)], down: [span(7 * 86_400 - 1800, 7 * 86_400)], now: now)
        #expect(uptime[.hour] == 0.5)
        #expect(uptime[.day] == 1 - 1800.0 / 86_400)
        #expect(uptime[.week] == 1 - 1800.0 / (7 * 86_400))
        #expect(uptime[.month] == uptime[.week])  // the rest of the 30 days is unknown
    }

    @Test func percentagesNeverRoundUpToAHundred() {
        #expect(TextReport.percent(1) == "100%")
        #expect(TextReport.percent(0.99996) == "99.99%")
        #expect(TextReport.percent(0.995) == "99.5%")
        #expect(TextReport.percent(0.9905) == "99.05%")
        #expect(TextReport.percent(0) == "0%")
        #expect(TextReport.percent(nil) == "-")
        #expect(JSONReport.ratio(0.99996) == "0.9999" && JSONReport.ratio(1) == "1" && JSONReport.ratio(0.5) == "0.5")
        #expect(JSONReport.ratio(0.00004) == "0" && JSONReport.ratio(0.0123) == "0.0123")
    }

    @Test func hourlyAggregatesAndRetentionCutoffs() throws {
        let hour = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 3600))
        let results: [(health: Health, latency: Duration)] = (1...20).map { (health: $0 == 3 ? .down : .up, latency: .milliseconds($0 * 10)) }
        let aggregate = try #require(HourlyAggregate(hour: hour, results: results))
        #expect(aggregate.polls == 20 && aggregate.failures == 1)
        #expect(aggregate.latencyMin == .milliseconds(10) && aggregate.latencyMax == .milliseconds(200))
        #expect(aggregate.latencySum == .milliseconds(2100) && aggregate.latencyP95 == .milliseconds(190))
        #expect(HourlyAggregate(hour: hour, results: []) == nil)
        let policy = RetentionPolicy()
        let now = hour.addingTimeInterval(5400)
        #expect(policy.resultCutoff(now: now) == now.addingTimeInterval(-7 * 86_400))
        #expect(RetentionPolicy.hourStart(now) == hour.addingTimeInterval(3600))
        #expect(policy.aggregateCutoff(now: now) == now.addingTimeInterval(-400 * 86_400))
    }
}
