import Foundation
import Logging
import Testing

@testable import URLPollCore
@testable import URLPollProbes
@testable import URLPollTestSupport

/// Reloading the URL list while running: the pure diff, each owner's part, and a live engine.
@Suite(.timeLimit(.minutes(1)))
struct ReloadTests {
    func targets(_ urls: [String], options: CheckOptions = CheckOptions()) -> TargetList {
        TargetList(urls.enumerated().map { URLListEntry(url: $0.element, origin: .argument(position: $0.offset + 1), options: options) })
    }

    @Test func changesKeepMatchingURLsAndGiveNewOnesFreshIDs() {
        let changes = TargetChanges(
            running: ["http://a/": 0, "http://b/": 1, "http://c/": 4],
            nextID: 5,
            new: targets(["http://c/", "http://d/", "http://a/"])
        )
        #expect(changes.kept.map(\.id) == [4, 0])
        #expect(changes.added.map { "\($0.id) \($0.url)" } == ["5 http://d/"])
        #expect(changes.removed == [1])
        #expect(changes.summary == "2 kept, 1 added, 1 removed")
    }

    @Test func addedURLsTakeFreeIDsFirst() {
        let changes = TargetChanges(
            running: ["http://a/": 0],
            nextID: 6,
            free: [4, 2],
            new: targets(["http://x/", "http://a/", "http://y/", "http://z/"])
        )
        #expect(changes.added.map { "\($0.id) \($0.url)" } == ["2 http://x/", "4 http://y/", "6 http://z/"])
    }

    @Test func anIDIsFreeOnlyOnceItsResourceIsBack() async throws {
        let policy = SleepPolicy(interval: .seconds(60), errorBackoff: .zero, maxBackoff: .zero)
        let scheduler = Scheduler(targets: targets(["http://a/", "http://b/"]), mode: .repeating(policy))
        let held = try #require(await scheduler.take())  // in flight during the reload
        let removeBoth = TargetChanges(running: ["http://a/": 0, "http://b/": 1], nextID: 2, new: targets(["http://c/"]))
        await scheduler.apply(removeBoth, policy: policy)
        // The queued one is free at once; the one in flight when it comes back (its result recorded).
        #expect(await scheduler.reusableIDs() == [1 - held.id])
        await scheduler.complete(held)
        #expect(await scheduler.reusableIDs() == [0, 1])
        let reuse = TargetChanges(
            running: ["http://c/": 2],
            nextID: 3,
            free: await scheduler.reusableIDs(),
            new: targets(["http://c/", "http://d/"])
        )
        await scheduler.apply(reuse, policy: policy)
        #expect(await scheduler.reusableIDs() == [1])
        await scheduler.close()
    }

    @Test func theStateTableGivesARetiredSlotToANewURL() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var table = StateTable(targets: targets(["http://a/", "http://b/"]), start: start, historyLength: 5, keepsSeries: true)
        table.apply(State(resourceID: 0, outcome: .failure(reason: "x"), latency: .zero, checkedAt: start, consecutiveFailures: 1))
        table.apply(TargetChanges(running: table.runningIDs, nextID: 2, new: targets(["http://b/"])), at: start)
        table.apply(TargetChanges(running: table.runningIDs, nextID: 2, free: [0], new: targets(["http://b/", "http://new/"])), at: start)
        #expect(table.records.count == 2 && table.history.count == 2 && table.series.count == 2)
        let report = table.report(at: start)
        #expect(report.urls.map(\.url) == ["http://b/", "http://new/"])
        #expect((report.up, report.down, report.pending) == (0, 0, 2))
        #expect(report.urls[1].polls == 0 && report.urls[1].status == "")
        #expect(table.history[0].results.isEmpty)
    }

    /// A removed resource's heap entry may still wait in the heap when its id goes to a new URL: it must
    /// never hand the new resource out at the old due time.
    @Test func aReusedIDIgnoresTheStaleEntryOfItsFormerResource() {
        let start = ContinuousClock.now
        var queue = SleepQueue()
        queue.insert(Resource(id: 1, url: "http://first/", options: CheckOptions(), dueAt: start), due: start + .milliseconds(500))
        queue.insert(Resource(id: 0, url: "http://old/", options: CheckOptions(), dueAt: start), due: start + .seconds(1))
        #expect(queue.remove(id: 0)?.url == "http://old/")  // its entry (due at 1 s) stays below the top
        queue.insert(Resource(id: 0, url: "http://new/", options: CheckOptions(), dueAt: start), due: start + .seconds(5))
        #expect(queue.count == 2)
        #expect(queue.popPending(at: start + .seconds(2))?.url == "http://first/")
        #expect(queue.popPending(at: start + .seconds(2)) == nil)
        #expect(queue.nextDue == start + .seconds(5))
        #expect(queue.popPending(at: start + .seconds(5))?.url == "http://new/")
        #expect(queue.isEmpty && queue.nextDue == nil)
    }

    @Test func theQueueDropsRemovedResourcesAndUpdatesQueuedOnes() {
        let start = ContinuousClock.now
        var queue = SleepQueue()
        for id in 0..<3 { queue.insert(Resource(id: id, url: TargetURL("http://h/\(id)"), options: CheckOptions(), dueAt: start), due: start) }
        let removed = queue.remove(id: 0)
        let removedAgain = queue.remove(id: 0)
        #expect(removed?.id == 0 && removedAgain == nil)
        let named = CheckOptions(name: "one")
        let updated = queue.update(id: 1, options: named)
        let updatedUnknown = queue.update(id: 7, options: named)
        #expect(updated && !updatedUnknown)
        #expect(queue.count == 2 && queue.pendingCount(at: start) == 2)
        #expect(queue.popPending(at: start)?.options.name == "one")
        #expect(queue.popPending(at: start)?.id == 2)
        #expect(queue.isEmpty && queue.nextDue == nil)
    }

    @Test func theSchedulerStartsAddedStopsRemovedAndRetiresOnesInFlight() async throws {
        let policy = SleepPolicy(interval: .seconds(60), errorBackoff: .zero, maxBackoff: .zero)
        let scheduler = Scheduler(targets: targets(["http://a/", "http://b/"]), mode: .repeating(policy))
        let held = try #require(await scheduler.take())  // a: in flight during the reload
        let running = ["http://a/": 0, "http://b/": 1]
        let changes = TargetChanges(running: running, nextID: 2, new: targets(["http://c/"]))
        await scheduler.apply(changes, policy: policy)
        let added = try #require(await scheduler.take())
        #expect(added.url == "http://c/" && added.id == 2)
        await scheduler.complete(held)
        await scheduler.complete(added)
        #expect(await scheduler.counts.queued == 1)
        await scheduler.close()
    }

    @Test func theStateTableRetiresRemovedRecordsAndAddsNewOnes() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var table = StateTable(targets: targets(["http://a/", "http://b/"]), start: start, historyLength: 5, keepsSeries: true)
        table.apply(
            State(resourceID: 1, outcome: .response(code: 200, reason: "OK"), latency: .milliseconds(1), checkedAt: start, consecutiveFailures: 0)
        )
        let changes = TargetChanges(
            running: table.runningIDs,
            nextID: table.records.count,
            new: targets(["http://c/", "http://b/"], options: CheckOptions(name: "N"))
        )
        table.apply(changes, at: start)
        let report = table.report(at: start)
        #expect(report.urls.map(\.url) == ["http://b/", "http://c/"])
        #expect(report.urls.map(\.name) == ["N", "N"])
        #expect((report.up, report.down, report.pending) == (1, 0, 1))
        #expect(report.urls[0].polls == 1)
        #expect(table.history.count == 3 && table.series.count == 3)
        // A late result for the removed URL changes nothing.
        let taken = table.apply(State(resourceID: 0, outcome: .failure(reason: "x"), latency: .zero, checkedAt: start, consecutiveFailures: 1))
        #expect(taken == nil)
        #expect(table.report(at: start).down == 0)
    }

    @Test func aRunningEngineKeepsTheStateOfKeptURLs() async throws {
        try await FakeTarget.with { target in
            var settings = Settings()
            settings.interval = .milliseconds(20)
            settings.errorBackoff = .zero
            let okURL = target.url("/ok")
            let reloaded = targets([okURL, target.url("/body")])
            let engine = try Self.engine(targets([okURL, target.url("/status/500")]), settings)
            let runner = Task { await engine.run() }
            await engine.waitUntilEveryURLIsPolled(2)
            let before = await engine.monitor.report().urls.first { $0.url.shown == okURL }
            let changes = await engine.reload(reloaded, policy: settings.sleepPolicy)
            // Every URL polled twice is not enough: the kept URL had that already; wait for its next poll too.
            let polledBefore = before?.polls ?? 0
            await engine.waitUntil { report in
                report.urls.allSatisfy { $0.polls >= 2 } && (report.urls.first { $0.url.shown == okURL }?.polls ?? 0) > polledBefore
            }
            let report = await engine.monitor.report()
            let history = await engine.monitor.history()
            await engine.scheduler.close()
            await runner.value

            #expect(changes.summary == "1 kept, 1 added, 1 removed")
            #expect(report.urls.map(\.url.shown) == [target.url("/body"), okURL])
            let kept = report.urls.last
            #expect(kept?.id == before?.id && kept?.since == before?.since)
            #expect((kept?.polls ?? 0) > (before?.polls ?? 0))
            // The kept URL's history continued: it holds results from before the reload and after.
            #expect(history[kept?.id ?? 0].results.count >= min((before?.polls ?? 0) + 1, 10))
        }
    }

    /// An engine on the lean client, keeping 10 recent results per URL.
    static func engine(_ targets: TargetList, _ settings: Settings) throws -> PollingEngine {
        PollingEngine(targets: targets, settings: settings, probe: try NIOProbe(), logger: Logger(label: "test"), historyLength: 10) { _ in }
    }

    /// Reload churn at a live engine: replacing URLs again and again reuses the removed URLs' slots.
    @Test func reloadChurnDoesNotGrowTheTables() async throws {
        try await FakeTarget.with { target in
            var settings = Settings()
            settings.interval = .milliseconds(10)
            let engine = try Self.engine(targets((0..<10).map { target.url("/ok?n=\($0)") }), settings)
            let runner = Task { await engine.run() }
            var sizes: [Int] = []
            for round in 1...8 {
                await engine.waitUntilEveryURLIsPolled(2)
                // Replace two URLs of ten each round.
                let urls = (0..<10).map { $0 < 2 ? target.url("/ok?round=\(round)&n=\($0)") : target.url("/ok?n=\($0)") }
                await engine.reload(targets(urls), policy: settings.sleepPolicy)
                sizes.append(await engine.monitor.running().nextID)
            }
            await engine.waitUntilEveryURLIsPolled(2)
            let report = await engine.monitor.report()
            await engine.scheduler.close()
            await runner.value
            // At most the two removed in the last reload may still be in flight: never more than 14 slots.
            #expect(sizes.allSatisfy { $0 <= 14 }, "\(sizes)")
            #expect(report.urls.count == 10 && report.up == 10)
        }
    }
}
