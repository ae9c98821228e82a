import Foundation
import Logging
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// Several instances (engines with a ``ClaimGate`` each) sharing one schedule, on virtual time: the
/// rules of the database, without one (``MemorySharedSchedule``). The same behaviour against PostgreSQL
/// and real processes is in `PostgresScheduleTests`.
@Suite(.timeLimit(.minutes(1)))
struct ClaimGateTests {
    let logger = Logger(label: "test")
    let interval = Duration.seconds(10)

    /// Steps of virtual time wait for every due poll to end: a claim must not wait for time to pass.
    func engine(
        _ urls: [String],
        schedule: any SharedSchedule,
        clock: ManualClock,
        pollers: Int = 2,
        gatherWindow: Duration = .zero,
        location: String = ""
    ) -> PollingEngine {
        var settings = Settings()
        settings.location = location
        // URLs with "quorum" in them ask for one (polled from every location).
        let quorum = CheckOptions(interval: interval, quorum: 1)
        settings.pollers = pollers
        settings.interval = interval
        settings.errorBackoff = .zero
        settings.quiet = true
        return PollingEngine(
            targets: TargetList(
                urls.enumerated().map {
                    URLListEntry(url: $0.element, origin: .argument(position: $0.offset + 1), options: $0.element.contains("quorum") ? quorum : nil)
                }
            ),
            settings: settings,
            probe: ScriptedProbe(),
            logger: logger,
            clock: clock,
            sharedSchedule: schedule,
            claimGatherWindow: gatherWindow,
            onReport: { _ in }
        )
    }

    /// Moves virtual time on in steps, letting every poll that falls due finish before the next step.
    func advance(_ clock: ManualClock, by total: Duration, step: Duration = .milliseconds(250), engines: [PollingEngine]) async {
        var passed = Duration.zero
        while passed < total {
            await clock.advance(by: step)
            passed += step
            for engine in engines {
                while await !isQuiet(engine, clock: clock) { await Task.yield() }
            }
        }
    }

    /// No exchange with the schedule is under way, and nothing due is left to take and nothing taken is
    /// in flight, unless the gate waits for a time still to come (it takes what fell due meanwhile when
    /// its gathering ends).
    func isQuiet(_ engine: PollingEngine, clock: ManualClock) async -> Bool {
        if await engine.claimGate?.exchangesInFlight ?? 0 > 0 { return false }
        if let until = await engine.claimGate?.gatheringUntil, clock.now < until { return true }
        let counts = await engine.scheduler.counts
        return counts.pending + counts.inFlight == 0
    }

    /// Runs `engines` together for `duration` of virtual time, then closes them and waits for their end.
    func run(_ engines: [PollingEngine], clock: ManualClock, for duration: Duration) async {
        await withDiscardingTaskGroup { group in
            for engine in engines { group.addTask { await engine.run() } }
            await advance(clock, by: duration, engines: engines)
            for engine in engines { await engine.scheduler.close() }
        }
    }

    func polls(_ engine: PollingEngine) async -> Int {
        await engine.monitor.report().urls.reduce(0) { $0 + $1.polls }
    }

    @Test func twoInstancesPollEachURLOncePerIntervalBetweenThem() async throws {
        let clock = ManualClock()
        let schedule = MemorySharedSchedule(clock: clock)
        let urls = (0..<20).map { "http://scripted/\($0)" }
        let engines = [engine(urls, schedule: schedule, clock: clock), engine(urls, schedule: schedule, clock: clock)]
        await run(engines, clock: clock, for: .seconds(65))
        let grants = await schedule.grants
        let byURL = Dictionary(grouping: grants, by: \.url)
        #expect(Set(byURL.keys) == Set(urls), "every URL polled")
        for (url, claims) in byURL {
            let times = claims.map(\.at)
            for (earlier, later) in zip(times, times.dropFirst()) {
                #expect(later - earlier >= interval, "\(url) polled twice within an interval")
            }
            #expect((6...7).contains(claims.count), "\(url): \(claims.count) polls in 65 s at 10 s")
        }
        let counts = [await polls(engines[0]), await polls(engines[1])]
        #expect(counts[0] + counts[1] == grants.count, "one poll per claim, none without")
    }

    /// Two locations, east with two instances and west with one: a URL with a quorum is polled by each
    /// location once per interval (east's two instances sharing east's polls), the others once per
    /// interval by any of the three.
    @Test func aURLWithAQuorumIsPolledFromEveryLocation() async throws {
        let clock = ManualClock()
        let schedule = MemorySharedSchedule(clock: clock)
        let urls = (0..<4).map { "http://scripted/quorum\($0)" } + (0..<4).map { "http://scripted/plain\($0)" }
        let engines = [
            engine(urls, schedule: schedule.at("east"), clock: clock, location: "east"),
            engine(urls, schedule: schedule.at("east"), clock: clock, location: "east"),
            engine(urls, schedule: schedule.at("west"), clock: clock, location: "west"),
        ]
        await run(engines, clock: clock, for: .seconds(65))
        let grants = await schedule.grants
        for url in urls {
            let rows = Dictionary(grouping: grants.filter { $0.url == url }, by: \.location)
            let expected: Set<String> = url.contains("quorum") ? ["east", "west"] : [""]
            #expect(Set(rows.keys) == expected, "\(url) claimed at \(rows.keys.sorted())")
            for (location, claims) in rows {
                let times = claims.map(\.at)
                for (earlier, later) in zip(times, times.dropFirst()) {
                    #expect(later - earlier >= interval, "\(url) polled twice within an interval at \(location)")
                }
                #expect((6...7).contains(claims.count), "\(url) at \(location): \(claims.count) polls in 65 s at 10 s")
            }
        }
        let west = await engines[2].monitor.report()
        for record in west.urls where record.url.shown.contains("quorum") {
            #expect(west.locations[record.id]?.map(\.location) == ["west"], "west judges with its own view until it learns east's")
        }
    }

    /// A schedule an instance loses: every exchange throws once it is cut (a `kill -9` sends nothing more).
    actor Severable: SharedSchedule {
        let base: MemorySharedSchedule
        var isCut = false
        init(_ base: MemorySharedSchedule) { self.base = base }
        func cut() { isCut = true }
        func exchange(claims: [ClaimRequest], releases: [LeaseRelease]) async throws -> ClaimAnswer {
            struct Cut: Error {}
            if isCut { throw Cut() }
            return try await base.exchange(claims: claims, releases: releases)
        }
    }

    @Test func theSurvivorTakesOverADeadInstancesURLs() async throws {
        let clock = ManualClock()
        let schedule = MemorySharedSchedule(clock: clock)
        let doomed = Severable(schedule)
        let urls = (0..<12).map { "http://scripted/\($0)" }
        let survivor = engine(urls, schedule: schedule, clock: clock)
        let victim = engine(urls, schedule: doomed, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // The victim starts alone, so that it holds URLs when it dies.
            group.addTask { await victim.run() }
            await advance(clock, by: .seconds(1), engines: [victim])
            group.addTask { await survivor.run() }
            await advance(clock, by: .seconds(24), engines: [survivor, victim])
            #expect(await polls(victim) > 0)
            await doomed.cut()
            await victim.scheduler.close()
            let death = clock.now
            await advance(clock, by: .seconds(40), engines: [survivor])
            let after = await schedule.grants.filter { $0.at > death }
            let lease = LeaseRules().lease(timeout: Settings().timeout)
            for url in urls {
                let first = after.first { $0.url == url }
                #expect(first != nil, "\(url) taken over")
                if let first { #expect(first.at - death <= interval + lease) }
            }
            await survivor.scheduler.close()
            try await group.waitForAll()
        }
    }

    @Test func anOutageKeepsTheShareAndPausesTheRest() async throws {
        let clock = ManualClock()
        let schedule = MemorySharedSchedule(clock: clock)
        let urls = (0..<8).map { "http://scripted/\($0)" }
        let alone = engine(urls, schedule: schedule, clock: clock)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await alone.run() }
            await advance(clock, by: .seconds(12), engines: [alone])
            let before = await polls(alone)
            await schedule.setDown(true)
            await advance(clock, by: .seconds(30), engines: [alone])
            let during = await polls(alone) - before
            #expect(during >= 2 * urls.count, "it held every URL, and polls them on: \(during)")
            let counts = try #require(await alone.claimGate?.counts)
            #expect(counts.unclaimedPolls == during && counts.failedExchanges > 0)
            await schedule.setDown(false)
            let back = await schedule.grants.count
            await advance(clock, by: .seconds(15), engines: [alone])
            #expect(await schedule.grants.count >= back + urls.count, "claims again once the schedule answers")
            await alone.scheduler.close()
            try await group.waitForAll()
        }
    }

    /// URLs falling due one second apart (second polls are spread over the interval) share a claim
    /// when the gather window is wider: ten URLs due from 10 s to 19 s, a 3 s window, three claims
    /// (and the releases' own round trips) instead of ten.
    @Test func urlsFallingDueTogetherShareAClaim() async throws {
        let clock = ManualClock()
        let schedule = MemorySharedSchedule(clock: clock)
        let urls = (0..<10).map { "http://scripted/\($0)" }
        let alone = engine(urls, schedule: schedule, clock: clock, gatherWindow: .seconds(3))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await alone.run() }
            await advance(clock, by: .seconds(5), engines: [alone])
            let firstRound = try #require(await alone.claimGate?.counts)
            await advance(clock, by: .seconds(18), engines: [alone])
            let secondRound = try #require(await alone.claimGate?.counts)
            #expect(secondRound.claimed - firstRound.claimed == 10, "every URL once more: \(secondRound)")
            #expect(secondRound.exchanges - firstRound.exchanges <= 6, "\(secondRound.exchanges - firstRound.exchanges) round trips for 10 URLs")
            await alone.scheduler.close()
            try await group.waitForAll()
        }
    }
}
