import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

struct SleepQueueTests {
    let start = ContinuousClock.now

    func resource(_ id: Int) -> Resource {
        Resource(id: id, url: TargetURL("http://h/\(id)"), options: CheckOptions(), dueAt: start)
    }

    @Test func nothingLeavesBeforeItIsDue() {
        var queue = SleepQueue()
        queue.insert(resource(1), due: start + .seconds(5))
        #expect(queue.popPending(at: start + .seconds(4)) == nil)
        #expect(queue.nextDue == start + .seconds(5))
        #expect(queue.popPending(at: start + .seconds(5))?.id == 1)
        #expect(queue.isEmpty)
    }

    @Test func theLongestDueLeavesFirstAndTiesLeaveInArrivalOrder() {
        var queue = SleepQueue()
        queue.insert(resource(1), due: start + .seconds(3))
        queue.insert(resource(2), due: start + .seconds(1))
        for id in 3...6 { queue.insert(resource(id), due: start + .seconds(2)) }
        var order: [Int] = []
        while let next = queue.popPending(at: start + .seconds(10)) { order.append(next.id) }
        #expect(order == [2, 3, 4, 5, 6, 1])
    }

    @Test func recordsWhenEachResourceWasDue() {
        var queue = SleepQueue()
        queue.insert(resource(1), due: start + .milliseconds(250))
        #expect(queue.popPending(at: start + .seconds(1))?.dueAt == start + .milliseconds(250))
    }

    @Test func countsPendingAndSleeping() {
        var queue = SleepQueue()
        queue.insert(resource(1), due: start)
        queue.insert(resource(2), due: start + .seconds(60))
        #expect(queue.count == 2)
        #expect(queue.pendingCount(at: start + .seconds(1)) == 1)
    }
}
