import Foundation
import Logging
import NIOCore
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// The poller's path for kinds other than HTTP, with a check that answers as it is told (no I/O): its
/// result, the shared conditions, the failure count and the failure's kind all reach the state.
struct PollerCheckKindTests {
    /// A check that returns `result` and records the context it was given.
    struct FixedCheck: CheckSpec, Equatable {
        let result: CheckResult
        var kind: CheckKindName { .tcp }
        var expectation: String { "fixed" }
        var settingsDescription: [String] { [] }
        func run(_ context: CheckContext) async -> CheckResult { result }
    }

    static func poll(_ check: FixedCheck, options: (any CheckSpec) -> CheckOptions = { CheckOptions().checking($0) }) async -> (State, Resource) {
        let monitor = StateMonitor(targets: TargetList([URLListEntry(url: "tcp://db.test:5432", origin: .argument(position: 1))]))
        let poller = Poller(
            scheduler: Scheduler(targets: TargetList([]), mode: .once),
            monitor: monitor,
            probe: ScriptedProbe(),
            logger: .silent,
            timeout: .seconds(5)
        )
        var resource = Resource(id: 0, url: "tcp://db.test:5432", options: options(check), dueAt: ContinuousClock.now)
        let state = await poller.poll(&resource, with: ScriptedProbe().makeSession())
        return (state, resource)
    }

    @Test func anUpCheckIsUpWithNoCodeAndResetsTheFailures() async {
        let (state, resource) = await Self.poll(FixedCheck(result: CheckResult(health: .up, status: "connected")))
        #expect(state.health == .up && state.status == "connected" && state.code == nil && state.failure == nil)
        #expect(resource.consecutiveFailures == 0 && resource.polls == 1)
    }

    @Test func aFailureKeepsItsKindAndCounts() async {
        let (state, resource) = await Self.poll(FixedCheck(result: .failed(.refused, "connection refused")))
        #expect(state.health == .down && state.status == "connection refused" && state.failure == .refused)
        #expect(resource.consecutiveFailures == 1)
    }

    @Test func maxLatencyAppliesAndIsAConditionNotATransportFailure() async {
        let (state, _) = await Self.poll(FixedCheck(result: CheckResult(health: .up, status: "connected"))) {
            CheckOptions(maxLatency: .nanoseconds(1)).checking($0)
        }
        #expect(state.health == .down)
        #expect(state.status.hasPrefix("connected, but took "))
        #expect(state.failure == .condition)
        #expect(!ConnectivityJudge.isTransportFailure(health: state.health, code: state.code, failure: state.failure))
    }
}
