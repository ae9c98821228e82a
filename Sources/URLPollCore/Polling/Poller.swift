import Foundation
import Logging

/// One of the N concurrent workers: takes a due ``Resource`` from the ``Scheduler``, polls it with the
/// ``Probe`` (through a ``ProbeSession`` of its own, which may hold its keep-alive connections), sends the
/// ``State`` to the ``StateMonitor``, and hands the resource back.
///
/// A poller owns the resource it took until it hands it back, so it alone updates the resource's
/// failure count. It runs until the scheduler closes; a poll in flight then ends normally (bounded
/// by the probe's timeout).
public struct Poller: Sendable {
    let scheduler: Scheduler
    let monitor: StateMonitor
    let probe: any Probe
    let logger: Logger

    public init(scheduler: Scheduler, monitor: StateMonitor, probe: any Probe, logger: Logger) {
        self.scheduler = scheduler
        self.monitor = monitor
        self.probe = probe
        self.logger = logger
    }

    /// Polls resources until the scheduler closes.
    public func run() async {
        let session = probe.makeSession()
        while var resource = await scheduler.take() {
            let state = await poll(&resource, with: session)
            await monitor.record(state)
            await scheduler.complete(resource)
        }
        session.close()
    }

    /// Polls `resource` once and updates its failure count: an `up` result resets it, a `down` one grows it.
    func poll(_ resource: inout Resource, with session: any ProbeSession) async -> State {
        let clock = ContinuousClock()
        let start = clock.now
        let lateness = resource.polls > 0 ? start - resource.dueAt : nil
        let outcome = await session.probe(resource.url)
        let latency = clock.now - start
        let health = Health(outcome)
        resource.consecutiveFailures = health == .up ? 0 : resource.consecutiveFailures + 1
        resource.polls += 1
        if case .failure(let reason) = outcome {
            logger.error("poll failed", metadata: ["url": "\(resource.url)", "error": "\(reason)"])
        }
        return State(
            resourceID: resource.id,
            outcome: outcome,
            latency: latency,
            checkedAt: Date(),
            consecutiveFailures: resource.consecutiveFailures,
            method: probe.method,
            lateness: lateness
        )
    }
}
