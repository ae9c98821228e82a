import Foundation
import NIOCore
import Synchronization
import Testing

@testable import URLPollCore
@testable import URLPollProbes
@testable import URLPollTestSupport

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

    /// The real clocks: an alarm rings once, never before its time; a cancelled one (due earlier, so
    /// it would have rung first) never does.
    @Test(arguments: try clocks())
    func anAlarmRingsOnceNotBeforeItsTimeAndACancelledOneNever(clock: any AlarmClock) async throws {
        let rings = Atomic<Int>(0)
        let cancelled = clock.set(at: clock.now + .milliseconds(10)) { rings.add(100, ordering: .relaxed) }
        cancelled.cancel()
        let time = clock.now + .milliseconds(30)
        let (rang, continuation) = AsyncStream.makeStream(of: ContinuousClock.Instant.self)
        _ = clock.set(at: time) {
            rings.add(1, ordering: .relaxed)
            continuation.yield(.now)
            continuation.finish()
        }
        var iterator = rang.makeAsyncIterator()
        let ringTime = try #require(await iterator.next())
        #expect(ringTime >= time)
        #expect(await iterator.next() == nil)
        #expect(rings.load(ordering: .relaxed) == 1)
    }

    @Test func theManualClockRingsInTimeOrderOnlyWhenAdvanced() async {
        let clock = ManualClock()
        let start = clock.now
        let order = Mutex<[Int]>([])
        _ = clock.set(at: start + .seconds(2)) { order.withLock { $0.append(2) } }
        _ = clock.set(at: start + .seconds(1)) { order.withLock { $0.append(1) } }
        let cancelled = clock.set(at: start + .milliseconds(1500)) { order.withLock { $0.append(99) } }
        cancelled.cancel()
        await clock.advance(by: .milliseconds(999))
        #expect(order.withLock { $0 }.isEmpty)
        await clock.advance(by: .seconds(5))
        #expect(order.withLock { $0 } == [1, 2])
        #expect(clock.now == start + .milliseconds(5999))
    }

    @Test(arguments: try clocks())
    func anIdlePollerGetsAResourceWhenItFallsDue(clock: any AlarmClock) async throws {
        let policy = SleepPolicy(interval: .milliseconds(40), errorBackoff: .zero, maxBackoff: .zero)
        let targets = TargetList([URLListEntry(url: "http://h/", origin: .argument(position: 1))])
        let scheduler = Scheduler(targets: targets, mode: .repeating(policy), clock: clock)
        let first = try #require(await scheduler.take())
        // Nothing is due now: the poller waits until the alarm rings for the resource it handed back.
        let again = try #require(await scheduler.completeAndTake(first))
        #expect(again.id == first.id)
        #expect(ContinuousClock.now >= again.dueAt)
        await scheduler.close()
    }
}
