import NIOCore
import Synchronization
import Testing

@testable import URLPollCore

/// The clocks that wake idle pollers, and the grid their alarms ring on.
@Suite(.timeLimit(.minutes(1)))
struct AlarmClockTests {
    static func clocks() throws -> [any AlarmClock] {
        [TaskAlarmClock(), try NIOProbe().alarmClock]
    }

    @Test func durationsRoundUpToTheGrid() {
        let step = Duration.milliseconds(2)
        #expect(Duration.milliseconds(3).roundedUp(to: step) == .milliseconds(4))
        #expect(Duration.milliseconds(4).roundedUp(to: step) == .milliseconds(4))
        #expect(Duration.nanoseconds(1).roundedUp(to: step) == .milliseconds(2))
        #expect(Duration.zero.roundedUp(to: step) == .zero)
        #expect(Duration.milliseconds(-5).roundedUp(to: step) == .milliseconds(-5))
    }

    @Test(arguments: try clocks())
    func anAlarmRingsOnceNotBeforeItsTimeAndACancelledOneNever(clock: any AlarmClock) async throws {
        let rings = Atomic<Int>(0)
        let time = ContinuousClock.now + .milliseconds(30)
        let (rang, continuation) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
        _ = clock.set(at: time) {
            rings.add(1, ordering: .relaxed)
            continuation.yield(.now)
        }
        let cancelled = clock.set(at: .now + .milliseconds(10)) { rings.add(100, ordering: .relaxed) }
        cancelled.cancel()
        var iterator = rang.makeAsyncIterator()
        let ringTime = try #require(await iterator.next())
        #expect(ringTime >= time)
        try await Task.sleep(for: .milliseconds(50))
        #expect(rings.load(ordering: .relaxed) == 1)
    }

    @Test(arguments: try clocks())
    func anIdlePollerGetsAResourceWhenItFallsDue(clock: any AlarmClock) async throws {
        let policy = SleepPolicy(interval: .milliseconds(40), errorBackoff: .zero, maxBackoff: .zero)
        let targets = TargetList([URLListEntry(url: "http://h/", origin: .argument(position: 1))])
        let scheduler = Scheduler(targets: targets, mode: .repeating(policy), alarmClock: clock)
        let first = try #require(await scheduler.take())
        // Nothing is due now: the poller waits until the alarm rings for the resource it handed back.
        let again = try #require(await scheduler.completeAndTake(first))
        #expect(again.id == first.id)
        #expect(ContinuousClock.now >= again.dueAt)
        await scheduler.close()
    }
}
