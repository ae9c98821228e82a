import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollTestSupport

/// Waiting for an operation with a time limit, on virtual time, including one that never notices that
/// it was cancelled.
struct AbandonableTests {
    @Test func anAnswerInTimeIsReturned() async throws {
        let value = try await Abandonable.run(within: .seconds(5), clock: ManualClock()) { 42 }
        #expect(value == 42)
    }

    @Test func anErrorInTimeIsThrown() async throws {
        await #expect(throws: NoAnswer.self) {
            // An error of the operation's own passes through unchanged.
            try await Abandonable.run(within: .seconds(5), clock: ManualClock()) { () async throws -> Int in throw NoAnswer(limit: .zero) }
        }
    }

    /// An operation that ignores cancellation and never ends: the caller gets ``NoAnswer`` at the limit
    /// and goes on; the operation is released at the end so that nothing is left waiting.
    @Test func anOperationThatNeverAnswersIsLeftBehindAtTheLimit() async throws {
        let clock = ManualClock()
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let caller = Task {
            try await Abandonable.run(within: .seconds(5), clock: clock) {
                for await _ in gate {}  // ends only when the test finishes the stream, cancelled or not
                return 1
            }
        }
        await clock.waitForAnAlarm()
        await clock.advance(by: .seconds(4))
        await clock.advance(by: .seconds(1))
        await #expect(throws: NoAnswer(limit: .seconds(5))) { try await caller.value }
        #expect(NoAnswer(limit: .seconds(5)).description == "no answer within 5s")
        opener.finish()
    }

    @Test func cancellingTheCallerCancelsTheOperation() async throws {
        let clock = ManualClock()
        let (gate, opener) = AsyncStream<Void>.makeStream()
        let (ended, ending) = AsyncStream<Bool>.makeStream()
        let caller = Task {
            try await Abandonable.run(within: .seconds(5), clock: clock) {
                for await _ in gate {}  // ends when cancelled
                ending.yield(Task.isCancelled)
                return 1
            }
        }
        await clock.waitForAnAlarm()
        caller.cancel()
        await #expect(throws: CancellationError.self) { try await caller.value }
        var iterator = ended.makeAsyncIterator()
        #expect(await iterator.next() == true, "the operation was cancelled too")
        opener.finish()
    }
}
