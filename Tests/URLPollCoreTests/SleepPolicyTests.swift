import Foundation
import Testing
import URLPollCore

@testable import URLPollTestSupport

struct SleepPolicyTests {
    let policy = SleepPolicy(interval: .seconds(60), errorBackoff: .seconds(10), maxBackoff: .seconds(600))

    @Test func anUpURLSleepsTheInterval() {
        #expect(policy.sleep(afterConsecutiveFailures: 0) == .seconds(60))
    }

    @Test func eachFailureAddsOneBackoffStep() {
        #expect(policy.sleep(afterConsecutiveFailures: 1) == .seconds(70))
        #expect(policy.sleep(afterConsecutiveFailures: 2) == .seconds(80))
        #expect(policy.sleep(afterConsecutiveFailures: 59) == .seconds(650))
    }

    @Test func theBackoffIsCapped() {
        #expect(policy.sleep(afterConsecutiveFailures: 60) == .seconds(660))
        #expect(policy.sleep(afterConsecutiveFailures: 61) == .seconds(660))
        #expect(policy.sleep(afterConsecutiveFailures: Int.max) == .seconds(660))
    }

    @Test func zeroIntervalAndZeroBackoffMeanPollAgainAtOnce() {
        let flatOut = SleepPolicy(interval: .zero, errorBackoff: .zero, maxBackoff: .seconds(600))
        #expect(flatOut.sleep(afterConsecutiveFailures: 5) == .zero)
    }

    @Test func matchesTheBenchmarkKitsBackoffSchedule() {
        // Interval 1s, back-off 1s, every poll fails: polls start at 0, 2, 5, 9, 14 s.
        let kit = SleepPolicy(interval: .seconds(1), errorBackoff: .seconds(1), maxBackoff: .seconds(600))
        var start = Duration.zero
        var starts = [start]
        for failures in 1...4 {
            start += kit.sleep(afterConsecutiveFailures: failures)
            starts.append(start)
        }
        #expect(starts == [.zero, .seconds(2), .seconds(5), .seconds(9), .seconds(14)])
    }
}

struct SpreadSlotTests {
    let start = ContinuousClock.now
    let policy = SleepPolicy(interval: .seconds(15), errorBackoff: .seconds(10), maxBackoff: .seconds(600))

    @Test func secondPollsSpreadEvenlyOverOneInterval() {
        let slots = (0..<4).map { policy.spreadSlot(position: $0, count: 4, firstRoundStart: start) }
        #expect(slots == [.seconds(15), .milliseconds(18_750), .milliseconds(22_500), .milliseconds(26_250)].map { start + $0 })
    }

    @Test func nothingIsSpreadAtIntervalZeroOrForOneURL() {
        let flatOut = SleepPolicy(interval: .zero, errorBackoff: .seconds(1), maxBackoff: .seconds(10))
        #expect(flatOut.spreadSlot(position: 3, count: 10, firstRoundStart: start) == nil)
        #expect(policy.spreadSlot(position: 0, count: 1, firstRoundStart: start) == nil)
    }
}
