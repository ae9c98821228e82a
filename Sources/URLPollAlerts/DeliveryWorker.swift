import DequeModule
import Foundation
import Logging
import URLPollCore

/// One receiver's queue and the one task that empties it, so a slow or broken receiver delays only its
/// own announcements, never polls or other receivers.
///
/// Deliveries go out one at a time, in the order they were decided (a `recovered` never overtakes its
/// `down`). A failed attempt is retried after the ``RetryPolicy``'s pause (exponential, with jitter,
/// bounded); a delivery is done when the receiver accepted it, or when the attempts are used up or the
/// failure cannot get better (then one error line says so). Done deliveries are reported to `finished`
/// in small batches, so the store removes them from its outbox; until then a restart sends them again.
actor DeliveryWorker {
    let receiver: any Receiver
    let policy: RetryPolicy
    let metrics: AlertMetrics?
    let logger: Logger
    private var queue: Deque<PendingDelivery> = []
    private var idle: CheckedContinuation<Void, Never>?
    private var busy = false
    private var drained: [Int: CheckedContinuation<Void, Never>] = [:]
    private var nextWaiter = 0

    init(receiver: any Receiver, policy: RetryPolicy, metrics: AlertMetrics?, logger: Logger) {
        self.receiver = receiver
        self.policy = policy
        self.metrics = metrics
        self.logger = logger
    }

    /// Deliveries waiting or being attempted.
    var backlog: Int { queue.count + (busy ? 1 : 0) }

    func enqueue(_ deliveries: [PendingDelivery]) {
        queue.append(contentsOf: deliveries)
        idle?.resume()
        idle = nil
    }

    /// Returns once the queue is empty and no delivery is in progress, or when the calling task is cancelled.
    func waitUntilDrained() async {
        if backlog == 0 { return }
        let id = nextWaiter
        nextWaiter += 1
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { drained[id] = continuation }
            }
        } onCancel: {
            Task { await self.releaseWaiter(id) }
        }
    }

    private func releaseWaiter(_ id: Int) {
        drained.removeValue(forKey: id)?.resume()
    }

    private func releaseAllWaiters() {
        for waiter in drained.values { waiter.resume() }
        drained = [:]
    }

    /// Delivers until cancelled, reporting done deliveries' ids to `finished`.
    func run(finished: @escaping @Sendable ([Int64]) async -> Void) async {
        var done: [Int64] = []
        while !Task.isCancelled {
            guard let delivery = queue.popFirst() else {
                if !done.isEmpty {
                    await finished(done)
                    done = []
                }
                releaseAllWaiters()
                await withTaskCancellationHandler {
                    await withCheckedContinuation { continuation in
                        if Task.isCancelled { continuation.resume() } else { idle = continuation }
                    }
                } onCancel: {
                    Task { await self.wake() }
                }
                continue
            }
            busy = true
            if await deliver(delivery.event) { done.append(delivery.id) }
            busy = false
            if done.count >= 256 {
                await finished(done)
                done = []
            }
        }
        if !done.isEmpty { await finished(done) }
        releaseAllWaiters()
    }

    private func wake() {
        idle?.resume()
        idle = nil
    }

    /// Attempts one event until it is accepted or given up; `false` only when cancelled meanwhile (it
    /// stays in the outbox for the next start).
    func deliver(_ event: AlertEvent) async -> Bool {
        var attempt = 0
        while true {
            attempt += 1
            do {
                try await receiver.deliver(event, sentAt: Date())
                metrics?.count(.delivered, receiver: receiver.name)
                if attempt > 1 {
                    logger.notice("alerts: \(event.kind.rawValue) of \(label(event)) delivered to \(receiver.name) at attempt \(attempt)")
                }
                return true
            } catch {
                if Task.isCancelled { return false }
                guard error.isRetryable, let pause = policy.delay(afterFailedAttempt: attempt, jitter: Double.random(in: 0...1)) else {
                    metrics?.count(.failed, receiver: receiver.name)
                    logger.error(
                        "alerts: giving up on \(event.kind.rawValue) of \(label(event)) to \(receiver.name) after \(attempt) attempt\(attempt == 1 ? "" : "s"): \(error.message)"
                    )
                    return true
                }
                metrics?.count(.retried, receiver: receiver.name)
                if attempt == 1 {
                    logger.warning("alerts: \(receiver.name) refused \(event.kind.rawValue) of \(label(event)): \(error.message); retrying")
                }
                do {
                    try await Task.sleep(for: pause)
                } catch {
                    return false
                }
            }
        }
    }

    private func label(_ event: AlertEvent) -> String {
        Excerpt.bounded(event.displayName)
    }
}
