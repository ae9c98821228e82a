import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// The alert decisions, without I/O: thresholds, flapping, recovery, reminders, the self-check's hold
/// and a restart.
struct AlertTrackerTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let url: TargetURL = "https://api.example.org/health"

    /// A stream of polls of one URL, one per second, with the failure count a poller would keep.
    struct Polls {
        var failures = 0
        var since = AlertTrackerTests.start
        var previous = Health.pending
        var time = AlertTrackerTests.start

        mutating func next(_ health: Health, code: Int? = 503) -> PollRecord {
            time += 1
            failures = health == .down ? failures + 1 : 0
            if health != previous { since = time }
            defer { previous = health }
            return PollRecord(
                url: AlertTrackerTests.url,
                checkedAt: time,
                health: health,
                previous: previous,
                isFirstInRun: false,
                code: health == .up ? 200 : code,
                latency: .milliseconds(20),
                status: health == .up ? "200 OK" : "503 Service Unavailable",
                method: .head,
                consecutiveFailures: failures,
                since: since
            )
        }
    }

    static let rules = [AlertRule(receiver: "ops"), AlertRule(receiver: "chat", failureThreshold: 5, successThreshold: 1)]

    func feed(_ healths: [Health], into tracker: inout AlertTracker, polls: inout Polls, rules: [AlertRule] = rules, holding: Bool = false)
        -> [AlertEvent]
    {
        healths.flatMap { tracker.observe(polls.next($0), name: "API", rules: rules, holdingDown: holding) }
    }

    @Test func nMinusOneFailuresSendNothingAndTheNthSendsOneDown() throws {
        var tracker = AlertTracker()
        var polls = Polls()
        #expect(feed([.up, .down, .down], into: &tracker, polls: &polls).isEmpty)
        let events = feed([.down], into: &tracker, polls: &polls)
        let down = try #require(events.only)
        #expect(down.kind == .down && down.receiver == "ops" && down.failures == 3 && down.name == "API")
        #expect(down.since == Self.start + 2)
        #expect(feed([.down], into: &tracker, polls: &polls).isEmpty)
        // The stricter receiver hears at its own threshold, once.
        #expect(feed([.down], into: &tracker, polls: &polls).map(\.receiver) == ["chat"])
        #expect(feed([.down, .down], into: &tracker, polls: &polls).isEmpty)
        #expect(tracker.takeChanges().announced.map(\.receiver) == ["ops", "chat"])
    }

    @Test func flappingAtTheDefaultsSendsNothing() {
        var tracker = AlertTracker()
        var polls = Polls()
        let flapping = (0..<50).map { $0.isMultiple(of: 2) ? Health.down : .up }
        #expect(feed(flapping, into: &tracker, polls: &polls).isEmpty)
        // Two failures, one success, two failures: still below three in a row.
        #expect(feed([.down, .down, .up, .down, .down, .up], into: &tracker, polls: &polls).isEmpty)
    }

    @Test func recoveryNeedsTheSuccessThresholdAndCarriesTheOutage() throws {
        var tracker = AlertTracker()
        var polls = Polls()
        _ = feed([.down, .down, .down, .down, .down], into: &tracker, polls: &polls)
        _ = tracker.takeChanges()
        // chat recovers after one success, ops after two.
        let first = feed([.up], into: &tracker, polls: &polls)
        #expect(first.map(\.receiver) == ["chat"])
        let second = feed([.up], into: &tracker, polls: &polls)
        let recovered = try #require(second.only)
        #expect(recovered.kind == .recovered && recovered.receiver == "ops")
        #expect(recovered.since == Self.start + 1 && recovered.endedAt == Self.start + 6)
        #expect(recovered.outageDuration(now: .distantFuture) == 5)
        #expect(Set(tracker.takeChanges().ended.map(\.receiver)) == ["ops", "chat"])
        #expect(tracker.announcements.isEmpty)
        // A failure between successes starts the count again: ops (announced again) needs two in a row.
        #expect(feed([.down, .down, .down], into: &tracker, polls: &polls).map(\.kind) == [.down])
        #expect(feed([.up, .down, .up], into: &tracker, polls: &polls).isEmpty)
        #expect(feed([.up], into: &tracker, polls: &polls).map(\.kind) == [.recovered])
    }

    @Test func withoutSendOnRecoveryTheAnnouncementEndsSilently() {
        var tracker = AlertTracker()
        var polls = Polls()
        let rules = [AlertRule(receiver: "ops", sendOnRecovery: false)]
        #expect(feed([.down, .down, .down], into: &tracker, polls: &polls, rules: rules).count == 1)
        #expect(feed([.up, .up, .up], into: &tracker, polls: &polls, rules: rules).isEmpty)
        #expect(tracker.announcements.isEmpty)
    }

    @Test func remindersRepeatWhileDown() {
        var tracker = AlertTracker()
        var polls = Polls()
        let rules = [AlertRule(receiver: "ops", repeatInterval: .seconds(3600))]
        _ = feed([.down, .down, .down], into: &tracker, polls: &polls, rules: rules)
        let announced = polls.time
        #expect(tracker.dueReminders(at: announced + 3599) { _ in rules }.isEmpty)
        let reminder = tracker.dueReminders(at: announced + 3600) { _ in rules }
        #expect(reminder.map(\.kind) == [.reminder])
        #expect(reminder.first?.status == "503 Service Unavailable")
        #expect(tracker.dueReminders(at: announced + 3601) { _ in rules }.isEmpty)
        #expect(tracker.dueReminders(at: announced + 7200) { _ in rules }.count == 1)
        _ = feed([.up, .up], into: &tracker, polls: &polls, rules: rules)
        #expect(tracker.dueReminders(at: announced + 99_999) { _ in rules }.isEmpty)
    }

    @Test func aHeldDownGoesOutWhenTheHoldEndsIfStillDown() {
        var tracker = AlertTracker()
        var polls = Polls()
        let rules = [AlertRule(receiver: "ops")]
        #expect(feed([.down, .down, .down, .down], into: &tracker, polls: &polls, rules: rules, holding: true).isEmpty)
        #expect(tracker.heldCount == 1)
        let released = tracker.releaseHeld(at: polls.time + 5) { _ in rules }
        #expect(released.map(\.kind) == [.down])
        #expect(released.first?.failures == 4)
        #expect(tracker.heldCount == 0)

        // Held, then up before the hold ends: nothing at all.
        var other = AlertTracker()
        var more = Polls()
        _ = feed([.down, .down, .down], into: &other, polls: &more, rules: rules, holding: true)
        _ = feed([.up], into: &other, polls: &more, rules: rules)
        #expect(other.releaseHeld(at: more.time + 1) { _ in rules }.isEmpty)
    }

    /// A restart restores the announcements: no second `down`, and the `recovered` still comes.
    @Test func aRestartWhileDownAnnouncesNothingTwice() {
        var before = AlertTracker()
        var polls = Polls()
        let rules = [AlertRule(receiver: "ops")]
        _ = feed([.down, .down, .down], into: &before, polls: &polls, rules: rules)
        let stored = before.takeChanges().announced

        var after = AlertTracker()
        after.restore(stored) { TargetURL($0) }
        #expect(feed([.down, .down, .down], into: &after, polls: &polls, rules: rules).isEmpty)
        let events = feed([.up, .up], into: &after, polls: &polls, rules: rules)
        #expect(events.map(\.kind) == [.recovered])
        #expect(events.first?.since == stored.first?.since)
    }

    @Test func theIdempotencyKeyIsTheSameWhenTheSameEventIsDecidedAgain() {
        var first = AlertTracker()
        var second = AlertTracker()
        var polls = Polls()
        var same = Polls()
        let a = feed([.down, .down, .down], into: &first, polls: &polls)
        let b = feed([.down, .down, .down], into: &second, polls: &same)
        #expect(a.map(\.idempotencyKey) == b.map(\.idempotencyKey))
        #expect(Set(a.map(\.idempotencyKey)).count == a.count)
    }

    @Test func aRemovedURLIsForgotten() {
        var tracker = AlertTracker()
        var polls = Polls()
        _ = feed([.down, .down, .down], into: &tracker, polls: &polls)
        _ = tracker.takeChanges()
        tracker.forget(url: Self.url.configured)
        #expect(tracker.announcements.isEmpty)
        #expect(tracker.takeChanges().ended.count == 1)
    }
}
