import DequeModule
import Foundation

/// Owns every ``Resource`` that is not being polled, and hands each to a ``Poller`` when it is due.
///
/// This is the codewalk's *pending queue* and *sleep* in one owner: a completed resource sleeps
/// `interval + min(errorBackoff × consecutiveFailures, maxBackoff)` (``SleepPolicy``), or only its
/// `recheck-interval` while an outage is not yet confirmed (``Confirmation``), then is pending
/// until a poller takes it, oldest due first. The first round runs as fast as the pollers allow; second
/// polls are spread evenly over one interval (``SleepPolicy/spreadSlot(position:count:firstRoundStart:)``)
/// so that later rounds do not replay the first round's burst. Sleeping costs one entry in a heap
/// (``SleepQueue``), not a task per URL; one alarm on the ``AlarmClock`` wakes idle pollers when the
/// earliest resource falls due. All time comes from that clock, so tests run the scheduler on virtual time.
///
/// Guarantees:
/// - A resource is either in this actor's queue or held by one poller, never both: ``take()`` removes it
///   and ``complete(_:)`` puts it back. So at most one poll of a URL is in flight.
/// - Feeding cannot deadlock: every resource is queued up front, and putting one back never waits.
/// - After ``close()``, ``take()`` returns `nil` at once and completed resources are not queued again.
/// - In ``Mode/once`` every resource is handed out exactly once, and the scheduler closes itself when
///   the last one comes back.
/// - ``apply(_:policy:)`` (a configuration reload) never disturbs a kept resource's schedule; a removed
///   resource leaves the queue at once, or, if it is being polled, when it comes back. Only then is its
///   id in ``reusableIDs()``: a poller records its result with the monitor before it hands the
///   resource back, so no result for the removed URL can follow the id's reuse.
public actor Scheduler {
    /// Whether resources go back to sleep after a poll.
    public enum Mode: Sendable, Equatable {
        /// Poll forever, sleeping between polls as the policy says.
        case repeating(SleepPolicy)
        /// Poll every resource once, then close.
        case once
    }

    private var mode: Mode
    private let start: ContinuousClock.Instant
    private let count: Int
    /// Resources removed by a reload while being polled: dropped when they come back.
    private var retired: Set<Int> = []
    /// Ids of removed resources that are neither queued nor being polled: free for a new URL.
    private var reusable: Set<Int> = []
    /// New options for resources that were being polled during a reload: applied when they come back.
    private var laterOptions: [Int: CheckOptions] = [:]
    private var queue = SleepQueue()
    private var idlePollers: Deque<CheckedContinuation<Resource?, Never>> = []
    private var inFlight = 0
    private var isClosed = false
    private let clock: any AlarmClock
    /// The most an idle poller's wake-up is delayed past a resource's due time, to wake once for many.
    public static let alarmGranularity = Duration.milliseconds(2)
    private var alarm: (alarm: Alarm, time: ContinuousClock.Instant, generation: UInt64)?
    private var alarmGeneration: UInt64 = 0

    /// Creates a scheduler whose resources (one per target) are all due now, except those an earlier
    /// run left failing: they go on with their failure count, due when their back-off after their last
    /// check ends (at once if that has passed).
    ///
    /// - Parameters:
    ///   - clock: the time, and what wakes idle pollers when a resource falls due.
    ///   - restored: the last state of some targets from an earlier run, by id.
    ///   - wallNow: the wall-clock time now, to place restored check times on `clock`.
    public init(
        targets: TargetList,
        mode: Mode,
        clock: any AlarmClock = TaskAlarmClock(),
        restored: [Int: RestoredState] = [:],
        wallNow: Date = Date()
    ) {
        self.mode = mode
        self.clock = clock
        let now = clock.now
        start = now
        count = targets.count
        for (id, target) in targets.targets.enumerated() {
            let (resource, due) = Self.resource(
                id: id,
                url: target.url,
                options: target.options,
                restored: restored[id],
                mode: mode,
                now: now,
                wallNow: wallNow
            )
            queue.insert(resource, due: due)
        }
        if targets.isEmpty { isClosed = true }
    }

    /// Takes the resource that has been due the longest, waiting until one is due.
    ///
    /// The caller owns the returned resource until it passes it to ``complete(_:)``.
    /// - Returns: `nil` once the scheduler is closed (or the calling task is cancelled, which closes it).
    public func take() async -> Resource? {
        if isClosed { return nil }
        if let resource = queue.popPending(at: clock.now) {
            inFlight += 1
            return resource
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                idlePollers.append(continuation)
                setAlarm()
            }
        } onCancel: {
            Task { await self.close() }
        }
    }

    /// Takes back a polled resource and schedules its next poll (or, in ``Mode/once``, retires it).
    /// - Returns: when it is due again, or `nil` when it is not queued again (closed, removed, once).
    @discardableResult
    public func complete(_ resource: Resource) -> ContinuousClock.Instant? {
        var dueAgain: ContinuousClock.Instant?
        inFlight -= 1
        var resource = resource
        if !laterOptions.isEmpty, let options = laterOptions.removeValue(forKey: resource.id) { resource.options = options }
        switch mode {
        case .repeating(var policy):
            if !retired.isEmpty, retired.remove(resource.id) != nil {
                reusable.insert(resource.id)
                break
            }
            if let interval = resource.options.interval { policy.interval = interval }
            if !isClosed {
                let recheck = resource.options.confirmation?.recheckPause(
                    afterConsecutiveFailures: resource.consecutiveFailures,
                    interval: policy.interval
                )
                var due = clock.now + (recheck ?? policy.sleep(afterConsecutiveFailures: resource.consecutiveFailures))
                if resource.polls == 1, recheck == nil, let slot = policy.spreadSlot(position: resource.id, count: count, firstRoundStart: start) {
                    due = max(due, slot)
                }
                queue.insert(resource, due: due)
                dueAgain = due
            }
        case .once:
            if queue.isEmpty && inFlight == 0 { close() }
        }
        dispatch()
        return dueAgain
    }

    /// Takes back a resource that was taken but not polled (another instance holds it), due at `due`.
    /// Its failure count and options stay as they were; a resource removed meanwhile is dropped.
    public func putBack(_ resource: Resource, due: ContinuousClock.Instant) {
        inFlight -= 1
        if !retired.isEmpty, retired.remove(resource.id) != nil {
            reusable.insert(resource.id)
        } else if !isClosed {
            var resource = resource
            if !laterOptions.isEmpty, let options = laterOptions.removeValue(forKey: resource.id) { resource.options = options }
            queue.insert(resource, due: due)
        }
        dispatch()
    }

    /// Takes up to `limit` resources that are due now, without waiting (none when closed).
    public func takePending(limit: Int) -> [Resource] {
        guard !isClosed, limit > 0 else { return [] }
        var taken: [Resource] = []
        let now = clock.now
        while taken.count < limit, let resource = queue.popPending(at: now) {
            taken.append(resource)
        }
        inFlight += taken.count
        return taken
    }

    /// The pause after a successful poll of each of `resources`: its own interval, or the policy's.
    public func intervals(of resources: [Resource]) -> [Duration] {
        guard case .repeating(let policy) = mode else { return resources.map { _ in .zero } }
        return resources.map { $0.options.interval ?? policy.interval }
    }

    /// Takes back a polled resource (as ``complete(_:)``) and takes the next due one (as ``take()``), in
    /// one call: what a poller does between two polls.
    public func completeAndTake(_ resource: Resource) async -> Resource? {
        complete(resource)
        return await take()
    }

    /// Stops handing out resources: waiting and later ``take()`` calls return `nil`. Polls in flight
    /// finish normally. Idempotent.
    public func close() {
        isClosed = true
        alarm?.alarm.cancel()
        alarm = nil
        while let poller = idlePollers.popFirst() {
            poller.resume(returning: nil)
        }
    }

    /// Applies a reloaded configuration: kept resources get their new options (their schedule stays),
    /// removed ones stop, added ones are due now. `policy` replaces the sleep policy (in repeating mode).
    public func apply(_ changes: TargetChanges, policy: SleepPolicy) {
        guard !isClosed else { return }
        if case .repeating = mode { mode = .repeating(policy) }
        for kept in changes.kept where !queue.update(id: kept.id, options: kept.options) {
            laterOptions[kept.id] = kept.options
        }
        for id in changes.removed {
            if queue.remove(id: id) == nil {
                retired.insert(id)
                laterOptions[id] = nil
            } else {
                reusable.insert(id)
            }
        }
        let now = clock.now
        let wallNow = Date()
        for added in changes.added {
            reusable.remove(added.id)
            let (resource, due) = Self.resource(
                id: added.id,
                url: added.url,
                options: added.options,
                restored: added.restored,
                mode: mode,
                now: now,
                wallNow: wallNow
            )
            queue.insert(resource, due: due)
        }
        dispatch()
    }

    /// A new resource and when it is first due: now, or, for a URL the history remembers, when its
    /// last check plus the sleep its failure count earns is over (a restart does not cut a back-off short).
    private static func resource(
        id: Int,
        url: TargetURL,
        options: CheckOptions,
        restored: RestoredState?,
        mode: Mode,
        now: ContinuousClock.Instant,
        wallNow: Date
    ) -> (Resource, due: ContinuousClock.Instant) {
        var resource = Resource(id: id, url: url, options: options, dueAt: now)
        guard let restored else { return (resource, now) }
        resource.consecutiveFailures = restored.consecutiveFailures
        guard case .repeating(var policy) = mode else { return (resource, now) }
        if let interval = options.interval { policy.interval = interval }
        let sleep = policy.sleep(afterConsecutiveFailures: restored.consecutiveFailures, confirmation: options.confirmation)
        let wait = restored.checkedAt.timeIntervalSince(wallNow) + sleep.seconds
        return (resource, wait > 0 ? now + .seconds(wait) : now)
    }

    /// Ids of removed resources that a reload may give to new URLs (see the type's guarantees).
    public func reusableIDs() -> [Int] {
        reusable.sorted()
    }

    /// Resources held now: sleeping or pending in the queue, or being polled.
    public var counts: (queued: Int, pending: Int, inFlight: Int) {
        (queue.count, queue.pendingCount(at: clock.now), inFlight)
    }

    /// Gives every idle poller a due resource, then makes sure an alarm rings for the next one.
    private func dispatch() {
        guard !isClosed else { return }
        let now = clock.now
        while !idlePollers.isEmpty, let resource = queue.popPending(at: now) {
            inFlight += 1
            idlePollers.removeFirst().resume(returning: resource)
        }
        setAlarm()
    }

    /// Keeps one alarm set for the earliest due resource while pollers are idle.
    private func setAlarm() {
        guard !isClosed, !idlePollers.isEmpty, let next = queue.nextDue else {
            alarm?.alarm.cancel()
            alarm = nil
            return
        }
        // Alarms ring on a grid of `alarmGranularity`, so that resources falling due close together are
        // handed out on one wake-up (paced polls are spread, so each would otherwise need its own).
        let ringAt = max(next, start + (next - start).roundedUp(to: Self.alarmGranularity))
        if let alarm, alarm.time <= ringAt { return }
        alarm?.alarm.cancel()
        alarmGeneration &+= 1
        let generation = alarmGeneration
        let set = clock.set(at: ringAt) { await self.alarmRang(generation: generation) }
        alarm = (set, ringAt, generation)
    }

    private func alarmRang(generation: UInt64) {
        guard alarm?.generation == generation else { return }
        alarm = nil
        dispatch()
    }
}

extension Duration {
    /// This duration rounded up to a whole multiple of `step` (a positive duration), for the alarm grid;
    /// durations of zero or less are returned as they are.
    func roundedUp(to step: Duration) -> Duration {
        guard self > .zero else { return self }
        let steps = (self / step).rounded(.up)
        return step * steps
    }
}
