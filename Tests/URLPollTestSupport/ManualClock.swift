import Synchronization

@testable import URLPollCore

/// Virtual time for the scheduler and the engine: the clock stands still until the test advances it,
/// and then rings every alarm that falls due, in time order. No test waits for real time to pass.
final class ManualClock: AlarmClock {
    private struct Pending {
        let id: Int
        let time: ContinuousClock.Instant
        let ring: @Sendable () async -> Void
    }

    private struct State {
        var now: ContinuousClock.Instant
        var pending: [Pending] = []
        var nextID = 0
        var alarmWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    init(start: ContinuousClock.Instant = .now) {
        state = Mutex(State(now: start))
    }

    var now: ContinuousClock.Instant { state.withLock { $0.now } }

    /// Alarms set and not rung or cancelled yet.
    var pendingAlarms: Int { state.withLock { $0.pending.count } }

    func set(at time: ContinuousClock.Instant, _ ring: @escaping @Sendable () async -> Void) -> Alarm {
        let (id, waiters): (Int?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
            guard time > state.now else { return (nil, []) }
            let id = state.nextID
            state.nextID += 1
            state.pending.append(Pending(id: id, time: time, ring: ring))
            defer { state.alarmWaiters = [] }
            return (id, state.alarmWaiters)
        }
        for waiter in waiters { waiter.resume() }
        guard let id else {
            Task { await ring() }
            return Alarm(cancel: {})
        }
        return Alarm(cancel: { [self] in state.withLock { $0.pending.removeAll { $0.id == id } } })
    }

    /// Moves the time on by `duration`, ringing (and awaiting) each alarm that falls due on the way.
    func advance(by duration: Duration) async {
        let target = now + duration
        while true {
            let due: Pending? = state.withLock { state in
                guard let next = state.pending.filter({ $0.time <= target }).min(by: { $0.time < $1.time }) else { return nil }
                state.pending.removeAll { $0.id == next.id }
                state.now = max(state.now, next.time)
                return next
            }
            guard let due else { break }
            await due.ring()
        }
        state.withLock { $0.now = max($0.now, target) }
    }

    /// Returns once an alarm is set (at once if one is): the sign that a poller, or a timer of the
    /// engine, is waiting for time to pass.
    func waitForAnAlarm() async {
        await withCheckedContinuation { continuation in
            let isSet = state.withLock { state in
                if !state.pending.isEmpty { return true }
                state.alarmWaiters.append(continuation)
                return false
            }
            if isSet { continuation.resume() }
        }
    }
}
