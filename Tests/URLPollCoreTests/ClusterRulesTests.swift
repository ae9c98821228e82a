import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// The shared schedule's rules and the quorum, without a database: time is given.
struct LeaseRulesTests {
    let rules = LeaseRules(margin: .seconds(10))
    let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    @Test func aLeaseOutlastsAWaitAndThePollByTheMargin() {
        #expect(rules.lease(timeout: .seconds(5)) == .seconds(20))
        #expect(rules.lease(timeout: .milliseconds(1_500)) == .seconds(13))
    }

    @Test func aURLNotWonIsAskedForAgainAtItsDueTimeOrTheLeasesEnd() {
        #expect(rules.askAgain(dueAt: t0 + 60, leaseEnd: t0 + 20, now: t0) == t0 + 60, "its holder set the next due time")
        #expect(rules.askAgain(dueAt: t0 - 1, leaseEnd: t0 + 20, now: t0) == t0 + 20, "due, but held")
        #expect(rules.askAgain(dueAt: t0 + 5, leaseEnd: nil, now: t0) == t0 + 5)
    }

    @Test func aURLIsClaimableWhenDueAndNotHeld() {
        #expect(rules.isClaimable(dueAt: t0, leaseEnd: nil, now: t0))
        #expect(!rules.isClaimable(dueAt: t0 + 1, leaseEnd: nil, now: t0), "not due yet")
        #expect(!rules.isClaimable(dueAt: t0, leaseEnd: t0 + 15, now: t0 + 14), "held")
        #expect(rules.isClaimable(dueAt: t0, leaseEnd: t0 + 15, now: t0 + 15), "its holder died: the lease ran out")
    }

    @Test func onlyTheCurrentClaimReleases() {
        #expect(rules.mayRelease(token: 7, current: 7))
        #expect(!rules.mayRelease(token: 7, current: 8), "a stalled holder whose URL was claimed again")
    }

    /// A release sets the single-instance scheduler's sleep (interval, backoff, recheck): the gate takes
    /// it from the ``Scheduler``, which asks the ``SleepPolicy``.
    @Test func theNextDueTimeIsTheSchedulersSleep() {
        let policy = SleepPolicy(interval: .seconds(60), errorBackoff: .seconds(30), maxBackoff: .seconds(300))
        #expect(policy.sleep(afterConsecutiveFailures: 0, confirmation: nil) == .seconds(60))
        #expect(policy.sleep(afterConsecutiveFailures: 2, confirmation: nil) == .seconds(120))
        #expect(policy.sleep(afterConsecutiveFailures: 50, confirmation: nil) == .seconds(360))
        let confirmation = Confirmation(failures: 3, recheck: .seconds(10))
        #expect(policy.sleep(afterConsecutiveFailures: 1, confirmation: confirmation) == .seconds(10))
        #expect(policy.sleep(afterConsecutiveFailures: 3, confirmation: confirmation) == .seconds(150))
    }

    @Test func aClaimKeepsThePollersBusyUntilTheNext() {
        #expect(rules.claimSize(pollers: 32, held: 0) == 128)
        #expect(rules.claimSize(pollers: 32, held: 120) == 8)
        #expect(rules.claimSize(pollers: 32, held: 200) == 0)
        #expect(rules.claimSize(pollers: 10_000, held: 0) == 1_000)
    }
}

struct QuorumVerdictTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func view(_ location: String, _ health: Health, age: TimeInterval = 5) -> QuorumVerdict.View {
        .init(location: location, health: health, checkedAt: now - age)
    }

    @Test func downOnlyWhenTheQuorumSeesItDown() {
        let one = QuorumVerdict(views: [view("eu", .down), view("us", .up), view("ap", .up)], quorum: 2, freshness: .seconds(180), now: now)
        #expect(one.health == .up && one.downAt == ["eu"] && one.upAt == ["ap", "us"])
        let two = QuorumVerdict(views: [view("eu", .down), view("us", .down), view("ap", .up)], quorum: 2, freshness: .seconds(180), now: now)
        #expect(two.health == .down && two.downAt == ["eu", "us"])
        let single = QuorumVerdict(views: [view("eu", .down)], quorum: 1, freshness: .seconds(180), now: now)
        #expect(single.health == .down)
    }

    @Test func aStaleLocationStopsVoting() {
        let verdict = QuorumVerdict(views: [view("eu", .down), view("us", .down, age: 600)], quorum: 2, freshness: .seconds(180), now: now)
        #expect(verdict.health == .up && verdict.downAt == ["eu"])
        let none = QuorumVerdict(views: [view("us", .down, age: 600)], quorum: 1, freshness: .seconds(180), now: now)
        #expect(none.health == .pending)
        #expect(QuorumVerdict(views: [], quorum: 2, freshness: .seconds(180), now: now).health == .pending)
    }

    @Test func freshnessIsThreeIntervalsAndAtLeastAMinute() {
        #expect(QuorumVerdict.freshness(interval: .seconds(60)) == .seconds(180))
        #expect(QuorumVerdict.freshness(interval: .seconds(5)) == .seconds(60))
    }
}

struct InstanceListingTests {
    @Test func theListIsOldestFirstWithItsOwnMarkedAndNamesEscaped() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_100)
        let list = [
            InstanceInfo(run: 9, name: "b\"<x>", location: "", startedAt: now - 50, heartbeatAt: now - 2.04),
            InstanceInfo(run: 7, name: "a", location: "eu", startedAt: now - 100, heartbeatAt: now - 30),
        ]
        let text = InstanceInfo.json(list, this: 9, now: now)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let instances = try #require(document["instances"] as? [[String: Any]])
        #expect(instances.map { $0["run"] as? Int } == [7, 9])
        #expect(instances[1]["name"] as? String == "b\"<x>" && instances[1]["location"] is NSNull && instances[1]["this"] as? Bool == true)
        #expect(instances[0]["heartbeat_age_s"] as? Double == 30 && instances[1]["heartbeat_age_s"] as? Double == 2)
        #expect(instances[0]["started_at"] as? String == "2027-01-15T08:00:00.000Z")
    }
}

/// The verdict each poll of a URL with a quorum makes with the other locations' views, and what the
/// state table then holds and reports.
struct LocationViewsTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func targets(quorum: Int?) -> TargetList {
        let options = CheckOptions(interval: .seconds(30), quorum: quorum)
        return TargetList([URLListEntry(url: "http://a/", origin: .argument(position: 1), options: options)])
    }

    func poll(_ health: Health, at seconds: TimeInterval, status: String? = nil) -> State {
        State(
            resourceID: 0,
            health: health,
            status: status ?? (health == .up ? "200 OK" : "503 Service Unavailable"),
            code: health == .up ? 200 : 503,
            latency: .milliseconds(5),
            checkedAt: start + seconds,
            consecutiveFailures: health == .up ? 0 : 1
        )
    }

    func view(_ location: String, _ health: Health, at seconds: TimeInterval) -> QuorumVerdict.View {
        .init(location: location, health: health, checkedAt: start + seconds, status: health == .up ? "200 OK" : "timed out")
    }

    @Test func oneLocationDownIsNotAnOutageOfAQuorumOfTwo() {
        var table = StateTable(targets: targets(quorum: 2), start: start, location: "eu")
        let alone = table.apply(poll(.down, at: 1))
        #expect(alone?.state.health == .up)
        #expect(alone?.state.status == "503 Service Unavailable from eu only (quorum 2)")
        #expect(alone?.localView == view("eu", .down, at: 1).with(status: "503 Service Unavailable"))
        #expect(table.records[0].health == .up && table.records[0].consecutiveFailures == 1)

        table.note(view("us", .down, at: 2), id: 0)
        let both = table.apply(poll(.down, at: 3))
        #expect(both?.state.health == .down && both?.previous == .up)
        #expect(both?.state.status == "503 Service Unavailable", "the verdict is this location's: its own status")
        #expect(table.report(at: start + 4).locations[0]?.map(\.location) == ["eu", "us"])
        #expect(table.counts[.down] == 1)
    }

    @Test func otherLocationsCanMakeItDownWhileThisOneSeesItUp() {
        var table = StateTable(targets: targets(quorum: 1), start: start, location: "eu")
        table.note(view("us", .down, at: 1), id: 0)
        let judged = table.apply(poll(.up, at: 2))
        #expect(judged?.state.health == .down)
        #expect(judged?.state.status == "down from us (quorum 1); 200 OK from eu")
        #expect(judged?.localView?.health == .up, "the history stores what this location saw")
    }

    @Test func aViewOlderThanItsFreshnessDoesNotVote() {
        var table = StateTable(targets: targets(quorum: 2), start: start, location: "eu")
        table.note(view("us", .down, at: 0), id: 0)
        // Freshness: three intervals of 30 s, so 90 s.
        #expect(table.apply(poll(.down, at: 60))?.state.health == .down)
        #expect(table.apply(poll(.down, at: 100))?.state.health == .up)
    }

    @Test func onlyANewerViewReplacesALocationsView() {
        var views = LocationViews(location: "eu")
        views.follow(id: 0, options: CheckOptions(interval: .seconds(30), quorum: 2))
        let taken = [
            views.note(view("us", .down, at: 10), id: 0),
            views.note(view("us", .up, at: 5), id: 0),
            views.note(view("ap", .up, at: 6), id: 0),
            views.note(view("us", .down, at: 20), id: 1),
        ]
        #expect(taken == [true, false, true, false], "an older view is refused; a URL without a quorum keeps none")
        #expect(views.views(of: 0).map(\.location) == ["ap", "us"])
        #expect(views.views(of: 0).map(\.health) == [.up, .down])
    }

    @Test func aURLWithoutAQuorumIsAsPolledAndAReloadForgetsViews() {
        var plain = StateTable(targets: targets(quorum: nil), start: start, location: "eu")
        let applied = plain.apply(poll(.down, at: 1))
        #expect(applied?.state.health == .down && applied?.localView == nil)
        #expect(plain.report(at: start).locations.isEmpty)

        var table = StateTable(targets: targets(quorum: 2), start: start, location: "eu")
        table.note(view("us", .down, at: 1), id: 0)
        let changes = TargetChanges(running: ["http://a/": 0], nextID: 1, new: targets(quorum: nil))
        table.apply(changes, at: start + 2)
        #expect(table.locationViews.views(of: 0).isEmpty && !table.locationViews.hasQuorum(0))
        #expect(table.apply(poll(.down, at: 3))?.state.health == .down)
    }
}

extension QuorumVerdict.View {
    fileprivate func with(status: String) -> Self {
        var view = self
        view.status = status
        return view
    }
}
