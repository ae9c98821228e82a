import LeanHTTP
import NIOCore
import URLPollCore

/// An alarm clock on a SwiftNIO event loop: the loop's own timer wakes it (no timer thread), and the
/// alarm's action runs in a task that prefers the loop's executor, where pollers of that loop run too.
/// Its time is the continuous clock's.
package struct EventLoopAlarmClock: AlarmClock {
    let executor: EventLoopTaskExecutor

    package var now: ContinuousClock.Instant { .now }

    package func set(at time: ContinuousClock.Instant, _ ring: @escaping @Sendable () async -> Void) -> Alarm {
        let deadline = NIODeadline.now() + TimeAmount(time - .now)
        let scheduled = executor.eventLoop.scheduleTask(deadline: deadline) {
            Task(executorPreference: executor) { await ring() }
        }
        return Alarm(cancel: { scheduled.cancel() })
    }
}
