import Foundation
import Testing
import URLPollCore

@testable import URLPollTestSupport

struct StateTableTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)
    let targets = TargetList([
        URLListEntry(url: "http://b/", origin: .argument(position: 1)),
        URLListEntry(url: "http://a/", origin: .argument(position: 2)),
    ])

    func state(_ id: Int, _ outcome: ProbeOutcome, at seconds: TimeInterval, failures: Int = 0) -> State {
        State(
            resourceID: id,
            outcome: outcome,
            latency: .milliseconds(12),
            checkedAt: start.addingTimeInterval(seconds),
            consecutiveFailures: failures
        )
    }

    @Test func everyURLIsPendingBeforeItsFirstPoll() {
        let report = StateTable(targets: targets, start: start).report(at: start)
        #expect((report.up, report.down, report.pending) == (0, 0, 2))
        #expect(report.urls.allSatisfy { $0.health == .pending && $0.checkedAt == nil && $0.since == start })
    }

    @Test func reportsAreSortedByURL() {
        let report = StateTable(targets: targets, start: start).report(at: start)
        #expect(report.urls.map(\.url) == ["http://a/", "http://b/"])
    }

    @Test func aPollSetsHealthStatusAndCounts() throws {
        var table = StateTable(targets: targets, start: start)
        table.apply(state(0, .response(code: 200, reason: "OK"), at: 1))
        table.apply(state(1, .failure(reason: "connection refused"), at: 2, failures: 1))
        let report = table.report(at: start.addingTimeInterval(3))
        #expect((report.up, report.down, report.pending) == (1, 1, 0))
        let a = try #require(report.urls.first)
        #expect(a.health == .down && a.status == "connection refused" && a.code == nil && a.consecutiveFailures == 1)
        let b = try #require(report.urls.last)
        #expect(b.health == .up && b.status == "200 OK" && b.code == 200 && b.latency == .milliseconds(12) && b.method == .head)
    }

    @Test func sinceMovesOnlyWhenTheHealthChanges() throws {
        var table = StateTable(targets: targets, start: start)
        table.apply(state(0, .response(code: 200, reason: "OK"), at: 10))
        table.apply(state(0, .response(code: 204, reason: "No Content"), at: 20))
        #expect(table.records[0].since == start.addingTimeInterval(10))
        table.apply(state(0, .response(code: 503, reason: "Service Unavailable"), at: 30, failures: 1))
        #expect(table.records[0].since == start.addingTimeInterval(30))
        #expect(table.records[0].polls == 3)
    }

    @Test(arguments: [(200, Health.up), (204, .up), (301, .up), (399, .up), (400, .down), (404, .down), (500, .down), (199, .down)])
    func statusCodesFrom200To399AreUp(code: Int, health: Health) {
        #expect(CheckVerdict(.response(code: code, reason: "")).health == health)
    }
}
