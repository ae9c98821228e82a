import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// Uptime current to the moment it is asked for: the stored figures of the last refresh plus what the
/// recorded polls since say. Pure, on times the test chooses.
struct CurrentUptimeTests {
    static let base = Date(timeIntervalSince1970: 1_800_000_000)
    static let url: TargetURL = "http://h.test/flip"

    static func at(_ seconds: Double) -> Date { base.addingTimeInterval(seconds) }

    static func poll(_ health: Health, at seconds: Double, first: Bool = false, url: TargetURL = url) -> HistoryEvent {
        .polled(
            PollRecord(
                url: url,
                checkedAt: at(seconds),
                health: health,
                previous: .up,
                isFirstInRun: first,
                code: health == .up ? 200 : 503,
                latency: .milliseconds(1),
                status: health == .up ? "200 OK" : "503",
                method: .get,
                consecutiveFailures: 0,
                since: at(seconds)
            )
        )
    }

    /// A run's first seconds, before any refresh: what it saw is what it shows.
    @Test func aRunThatNeverRefreshedShowsWhatItSaw() {
        var uptime = CurrentUptime()
        let up: TargetURL = "http://h.test/up"
        let down: TargetURL = "http://h.test/down"
        uptime.record([Self.poll(.up, at: 0, first: true, url: up), Self.poll(.down, at: 0, first: true, url: down)])
        uptime.record([Self.poll(.up, at: 1, url: up), Self.poll(.down, at: 1, url: down)])
        #expect(uptime.uptime(of: up.configured, now: Self.at(3)) == Uptime(ratios: [1, 1, 1, 1]))
        #expect(uptime.uptime(of: down.configured, now: Self.at(3)) == Uptime(ratios: [0, 0, 0, 0]))
        #expect(uptime.uptime(of: "http://never.test/", now: Self.at(3)) == .unknown)
    }

    /// Each poll's health holds until the next: up 0–1, down 1–2, up 2–3, down 3–4 is half up.
    @Test func aFlippingURLIsAboutHalfUp() {
        var uptime = CurrentUptime()
        uptime.record([Self.poll(.up, at: 0, first: true), Self.poll(.down, at: 1), Self.poll(.up, at: 2), Self.poll(.down, at: 3)])
        #expect(uptime.uptime(of: Self.url.configured, now: Self.at(4))[.hour] == 0.5)
        // At 3.5 s: up 2 of 3.5 known seconds.
        #expect(abs((uptime.uptime(of: Self.url.configured, now: Self.at(3.5))[.hour] ?? 0) - 2 / 3.5) < 1e-9)
    }

    /// After a refresh the stored figures count, and what follows adds to them: nothing is counted twice.
    @Test func aRefreshReplacesWhatWasSeenWithTheStoredFiguresAndGoesOn() {
        var uptime = CurrentUptime()
        uptime.record([Self.poll(.up, at: 0, first: true), Self.poll(.down, at: 50)])
        // The store has the same: known 0–60, down 50–60 (open), read at 60.
        let stored = Timeline(coverage: [.init(Self.at(0), Self.at(60))], down: [.init(Self.at(50), Self.at(60))])
        uptime.refresh(from: [Self.url.configured: stored], now: Self.at(60))
        #expect(uptime.uptime(of: Self.url.configured, now: Self.at(60))[.hour] == 50.0 / 60)
        // Still down until 80, then up until 100: known 100 s, up 50 + 20.
        uptime.record([Self.poll(.up, at: 80)])
        #expect(uptime.uptime(of: Self.url.configured, now: Self.at(100))[.hour] == 70.0 / 100)
        // A batch stored before the refresh read the store, recorded after it: its time is not counted again.
        uptime.record([Self.poll(.up, at: 70)])
        #expect(uptime.uptime(of: Self.url.configured, now: Self.at(100))[.hour] == 70.0 / 100)
    }

    /// Before a run's first poll a URL's time is unknown, whatever it was when last seen; a removal ends
    /// its known time.
    @Test func timeBeforeTheFirstPollOfARunAndAfterARemovalIsUnknown() {
        var uptime = CurrentUptime()
        uptime.refresh(from: [Self.url.configured: Timeline(coverage: [.init(Self.at(0), Self.at(10))], down: [])], now: Self.at(100))
        uptime.record([Self.poll(.down, at: 200, first: true), Self.poll(.down, at: 210)])
        uptime.record([.removed(url: Self.url, at: Self.at(220))])
        // Known: 0–10 up (stored), 200–220 down (this run); 100–200 and after 220 unknown.
        #expect(uptime.uptime(of: Self.url.configured, now: Self.at(1000))[.hour] == 10.0 / 30)
    }

    /// A URL the store's figures do not have yet (its first batch was stored after they were read) keeps
    /// what this run saw of it through the refresh.
    @Test func aURLTheRefreshDoesNotKnowKeepsWhatWasSeen() {
        var uptime = CurrentUptime()
        uptime.record([Self.poll(.down, at: 0, first: true)])
        uptime.refresh(from: [:], now: Self.at(10))
        uptime.record([Self.poll(.up, at: 10)])
        #expect(uptime.uptime(of: Self.url.configured, now: Self.at(20))[.hour] == 0.5)
    }

    /// Windows are the stored window plus the time since the refresh: the week's figure keeps the week's
    /// outage while the hour's does not see it.
    @Test func eachWindowKeepsItsOwnStoredFigure() {
        var uptime = CurrentUptime()
        let day = 86_400.0
        let stored = Timeline(coverage: [.init(Self.at(0), Self.at(3 * day))], down: [.init(Self.at(day), Self.at(2 * day))])
        uptime.refresh(from: [Self.url.configured: stored], now: Self.at(3 * day))
        uptime.record([Self.poll(.up, at: 3 * day)])
        let figures = uptime.uptime(of: Self.url.configured, now: Self.at(3 * day + 60))
        #expect(figures[.hour] == 1)
        #expect(figures[.day] == 1)
        #expect(figures[.week] == (2 * day + 60) / (3 * day + 60))
    }
}
