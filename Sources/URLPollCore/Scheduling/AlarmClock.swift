/// Rings the ``Scheduler``'s alarm: runs an action once a time has come, unless cancelled first.
///
/// The scheduler keeps at most one alarm set (for the earliest due resource while pollers are idle), so
/// an alarm rings about once per poll when polls are paced: where it rings matters for CPU. The default,
/// ``TaskAlarmClock``, sleeps in a task; ``NIOProbe`` provides one on its event loops, where the pollers run.
public protocol AlarmClock: Sendable {
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

/// An alarm clock that sleeps in a task on the global executor.
public struct TaskAlarmClock: AlarmClock {
    public init() {}

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
