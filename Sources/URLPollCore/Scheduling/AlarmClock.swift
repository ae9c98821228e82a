/// The scheduler's time: what time it is, and an alarm that runs an action once a time has come.
///
/// Everything that schedules polls reads the time here (the ``Scheduler``, the ``Poller``'s lateness,
/// the ``PollingEngine``'s reports and `--duration`), so tests can drive it on virtual time with a clock
/// they advance by hand. The scheduler keeps at most one alarm set (for the earliest due resource while
/// pollers are idle), so an alarm rings about once per poll when polls are paced: where it rings matters
/// for CPU. The default, ``TaskAlarmClock``, sleeps in a task; `NIOProbe` provides one on its event loops,
/// where the pollers run. The latency of a poll and the probe's deadlines are real time, never this clock's.
public protocol AlarmClock: Sendable {
    /// The current time. Thread-safe.
    var now: ContinuousClock.Instant { get }

    /// Runs `ring` at or soon after `time` (at once if it has passed), unless the returned alarm is
    /// cancelled before. Thread-safe.
    func set(at time: ContinuousClock.Instant, _ ring: @escaping @Sendable () async -> Void) -> Alarm
}

/// A set alarm.
public struct Alarm: Sendable {
    /// Stops the alarm from ringing if it has not rung yet; harmless afterwards.
    public let cancel: @Sendable () -> Void

    public init(cancel: @escaping @Sendable () -> Void) {
        self.cancel = cancel
    }
}

extension AlarmClock {
    /// Suspends until `time` on this clock.
    /// - Throws: `CancellationError` if the task is cancelled first (the alarm is then cancelled too).
    public func sleep(until time: ContinuousClock.Instant) async throws {
        let (rang, ringing) = AsyncStream<Void>.makeStream()
        let alarm = set(at: time) { ringing.finish() }
        await withTaskCancellationHandler {
            for await _ in rang {}
        } onCancel: {
            alarm.cancel()
            ringing.finish()
        }
        try Task.checkCancellation()
    }
}

/// An alarm clock on the continuous clock that sleeps in a task on the global executor.
public struct TaskAlarmClock: AlarmClock {
    public init() {}

    public var now: ContinuousClock.Instant { .now }

    public func set(at time: ContinuousClock.Instant, _ ring: @escaping @Sendable () async -> Void) -> Alarm {
        let task = Task {
            do {
                try await Task.sleep(until: time, clock: .continuous)
            } catch {
                return
            }
            await ring()
        }
        return Alarm(cancel: task.cancel)
    }
}
