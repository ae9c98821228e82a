import Foundation
import Testing

@testable import URLPollCore

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
