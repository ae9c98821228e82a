import Foundation
import Testing
import URLPollCore

@testable import URLPollTestSupport

/// The scheduler on virtual time (``ManualClock``): due times are exact, and nothing waits for real time.
@Suite(.timeLimit(.minutes(1)))
struct SchedulerTests {
    func targets(_ count: Int) -> TargetList {
        TargetList((0..<count).map { URLListEntry(url: "http://h/\($0)", origin: .argument(position: $0 + 1)) })
    }

    @Test func onceModeHandsOutEveryResourceOnceThenCloses() async {
        let scheduler = Scheduler(targets: targets(5), mode: .once)
        var taken: [Resource] = []
        for _ in 0..<5 {
            if let resource = await scheduler.take() { taken.append(resource) }
        }
        #expect(Set(taken.map(\.id)) == [0, 1, 2, 3, 4])
        for resource in taken { await scheduler.complete(resource) }
        #expect(await scheduler.take() == nil)
    }

    @Test func handingBackAndTakingIsOneStepThatKeepsTheOrder() async throws {
        let policy = SleepPolicy(interval: .zero, errorBackoff: .zero, maxBackoff: .zero)
        let scheduler = Scheduler(targets: targets(2), mode: .repeating(policy))
        let first = try #require(await scheduler.take())
        // The other resource has been due longer than the one handed back, so it comes first.
        let second = try #require(await scheduler.completeAndTake(first))
        #expect([first.id, second.id] == [0, 1] as [Int])
        let third = try #require(await scheduler.completeAndTake(second))
        #expect(third.id == 0 && third.polls == first.polls)
        await scheduler.close()
        #expect(await scheduler.completeAndTake(third) == nil)
        #expect(await scheduler.counts.inFlight == 0)
    }

    /// Hands the only resource back after `failures` failures at a moment on virtual time, and takes it
    /// again once the clock has moved on by `sleep`: it must be due exactly then, not a tick earlier.
    func requeue(_ policy: SleepPolicy, failures: Int, sleep: Duration) async throws -> Resource {
        let clock = ManualClock()
        let scheduler = Scheduler(targets: targets(1), mode: .repeating(policy), clock: clock)
        var resource = try #require(await scheduler.take())
        resource.consecutiveFailures = failures
        let handedBack = clock.now
        await scheduler.complete(resource)
        async let taken = scheduler.take()
        await clock.waitForAnAlarm()
        await clock.advance(by: sleep - .nanoseconds(1))
        #expect(await scheduler.counts.pending == 0)
        await clock.advance(by: Scheduler.alarmGranularity)
        let again = try #require(await taken)
        #expect(again.dueAt == handedBack + sleep)
        await scheduler.close()
        return again
    }

    @Test func aFailedResourceSleepsIntervalPlusBackoffPerFailure() async throws {
        let policy = SleepPolicy(interval: .milliseconds(20), errorBackoff: .milliseconds(50), maxBackoff: .seconds(10))
        let again = try await requeue(policy, failures: 3, sleep: .milliseconds(170))
        #expect(again.consecutiveFailures == 3)
    }

    @Test func theBackoffStopsGrowingAtItsCap() async throws {
        let policy = SleepPolicy(interval: .zero, errorBackoff: .seconds(1), maxBackoff: .milliseconds(100))
        _ = try await requeue(policy, failures: 1000, sleep: .milliseconds(100))
    }

    @Test func closingReleasesWaitingPollersAndStopsRequeueing() async throws {
        let policy = SleepPolicy(interval: .seconds(60), errorBackoff: .zero, maxBackoff: .zero)
        let clock = ManualClock()
        let scheduler = Scheduler(targets: targets(1), mode: .repeating(policy), clock: clock)
        let resource = try #require(await scheduler.take())
        await scheduler.complete(resource)
        async let waiting = scheduler.take()
        await clock.waitForAnAlarm()  // the poller is parked, its alarm set for the resource's due time
        await scheduler.close()
        #expect(await waiting == nil)
        #expect(await scheduler.take() == nil)
        #expect(clock.pendingAlarms == 0)
    }

    @Test func atIntervalZeroResourcesTakeTurnsInOrder() async throws {
        let policy = SleepPolicy(interval: .zero, errorBackoff: .zero, maxBackoff: .zero)
        let scheduler = Scheduler(targets: targets(100), mode: .repeating(policy))
        var counts = [Int](repeating: 0, count: 100)
        var order: [Int] = []
        for _ in 0..<1000 {
            let resource = try #require(await scheduler.take())
            counts[resource.id] += 1
            if order.count < 200 { order.append(resource.id) }
            await scheduler.complete(resource)
        }
        await scheduler.close()
        #expect(counts == [Int](repeating: 10, count: 100))
        #expect(order == Array(0..<100) + Array(0..<100))
    }

    @Test func atIntervalZeroConcurrentPollersStarveNoResource() async {
        let policy = SleepPolicy(interval: .zero, errorBackoff: .zero, maxBackoff: .zero)
        let scheduler = Scheduler(targets: targets(100), mode: .repeating(policy))
        let counts = await withTaskGroup(of: [Int: Int].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var counts: [Int: Int] = [:]
                    for _ in 0..<250 {
                        guard let resource = await scheduler.take() else { break }
                        counts[resource.id, default: 0] += 1
                        await scheduler.complete(resource)
                    }
                    return counts
                }
            }
            var total: [Int: Int] = [:]
            for await partial in group { total.merge(partial, uniquingKeysWith: +) }
            return total
        }
        await scheduler.close()
        // How evenly 1,000 takes spread depends on how the machine schedules the four workers (one held
        // back keeps its resource out of the queue meanwhile); what must hold is that every resource had turns.
        #expect(counts.count == 100)
        #expect(counts.values.min() ?? 0 >= 1)
    }

    @Test func secondPollsAreSpreadOverOneIntervalButNeverComeEarly() async throws {
        let policy = SleepPolicy(interval: .milliseconds(200), errorBackoff: .zero, maxBackoff: .zero)
        let clock = ManualClock()
        let start = clock.now
        let scheduler = Scheduler(targets: targets(4), mode: .repeating(policy), clock: clock)
        var firstRound: [Resource] = []
        for _ in 0..<4 { firstRound.append(try #require(await scheduler.take())) }
        await clock.advance(by: .milliseconds(10))  // the first round took 10 ms
        for var resource in firstRound {
            resource.polls = 1
            await scheduler.complete(resource)
        }
        // URL k of 4 is due at start + 200 ms × (1 + k/4), and never before its own sleep (10 + 200 ms).
        #expect(await scheduler.counts.pending == 0)
        var secondRound: [Resource] = []
        for due in [210, 250, 300, 350].map(Duration.milliseconds) {
            async let next = scheduler.take()
            await clock.waitForAnAlarm()
            await clock.advance(by: start + due - clock.now)
            secondRound.append(try #require(await next))
        }
        await scheduler.close()
        #expect(secondRound.map(\.id) == [0, 1, 2, 3])
        #expect(secondRound.map { $0.dueAt - start } == [.milliseconds(210), .milliseconds(250), .milliseconds(300), .milliseconds(350)])
    }
}
