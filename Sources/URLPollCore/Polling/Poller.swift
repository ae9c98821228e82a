import Foundation
import Logging
import NIOCore

/// One of the N concurrent workers: takes a due ``Resource`` from the ``Scheduler`` (through the
/// ``ClaimGate`` when instances share the schedule), polls it with the
/// ``Probe`` (through a ``ProbeSession`` of its own, which may hold its keep-alive connections), sends the
/// ``State`` to the ``StateMonitor``, and hands the resource back.
///
/// A poller owns the resource it took until it hands it back, so it alone updates the resource's
/// failure count and its HEAD→GET memory. It runs until the scheduler closes; a poll in flight then
/// ends normally (bounded by the URL's timeout).
public struct Poller: Sendable {
    let scheduler: any ResourceSource
    let monitor: StateMonitor
    let probe: any Probe
    let logger: Logger
    /// The timeout of URLs whose options set none.
    let timeout: Duration
    /// The scheduler's clock, for lateness (how long after its due time a poll starts).
    let clock: any AlarmClock

    public init(
        scheduler: any ResourceSource,
        monitor: StateMonitor,
        probe: any Probe,
        logger: Logger,
        timeout: Duration,
        clock: any AlarmClock = TaskAlarmClock()
    ) {
        self.scheduler = scheduler
        self.monitor = monitor
        self.probe = probe
        self.logger = logger
        self.timeout = timeout
        self.clock = clock
    }

    /// Polls resources until the scheduler closes, as poller number `index` (on the probe's executor
    /// for that poller, if it has one).
    public func run(index: Int = 0) async {
        let session = probe.makeSession(forPoller: index)
        if let executor = probe.executor(forPoller: index) {
            await withTaskExecutorPreference(executor) { await loop(session) }
        } else {
            await loop(session)
        }
        session.close()
    }

    private func loop(_ session: any ProbeSession) async {
        var next = await scheduler.take()
        while var resource = next {
            let state = await poll(&resource, with: session)
            await monitor.record(state)
            next = await scheduler.completeAndTake(resource)
        }
    }

    /// Polls `resource` once and updates it: an `up` result resets its failure count, a `down` one grows
    /// it. A HEAD answered with 405 or 501 is repeated as a GET within the same poll (and timeout), and
    /// the resource remembers to start with GET from then on.
    func poll(_ resource: inout Resource, with session: any ProbeSession) async -> State {
        let options = resource.options
        if let check = options.check { return await poll(&resource, running: check) }
        let clock = ContinuousClock()
        let start = clock.now
        let timeout = options.timeout ?? self.timeout
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        let lateness = resource.polls > 0 ? clock.now - resource.dueAt : nil
        var method = resource.needsGET ? .get : options.initialMethod
        var result = await session.probe(
            ProbeRequest(url: resource.url.requested, options: options, method: method, timeout: timeout),
            deadline: deadline
        )
        if method == .head, let code = result.outcome.code, code == 405 || code == 501 {
            resource.needsGET = true
            method = .get
            let head = result.phases
            result = await session.probe(
                ProbeRequest(url: resource.url.requested, options: options, method: method, timeout: timeout),
                deadline: deadline
            )
            result.phases = head.adding(result.phases)
        }
        let latency = clock.now - start
        let checkedAt = Date()
        let verdict = CheckVerdict(result, latency: latency, options: options, now: checkedAt)
        var failure: String?
        if case .failure(let reason) = result.outcome { failure = reason }
        count(verdict, on: &resource, failure: failure)
        return State(
            resourceID: resource.id,
            health: verdict.health,
            status: verdict.status,
            code: result.outcome.code,
            latency: latency,
            checkedAt: checkedAt,
            consecutiveFailures: resource.consecutiveFailures,
            method: method,
            lateness: lateness,
            certificateExpiry: result.certificateExpiry,
            phases: result.phases,
            remoteAddress: result.remoteAddress
        )
    }

    /// Polls a non-HTTP `resource` once by running its `check` (``CheckSpec/run(_:)``), with the same
    /// timeout, failure count and state as an HTTP poll; the shared conditions (``CheckVerdict``) apply.
    private func poll(_ resource: inout Resource, running check: any CheckSpec) async -> State {
        let options = resource.options
        let clock = ContinuousClock()
        let start = clock.now
        let timeout = options.timeout ?? self.timeout
        let lateness = resource.polls > 0 ? clock.now - resource.dueAt : nil
        let context = CheckContext(
            timeout: timeout,
            connectTimeout: options.connectTimeout(within: timeout),
            deadline: NIODeadline.now() + TimeAmount(timeout),
            ipVersion: options.ipVersion,
            tls: options.preparedTLS,
            insecureTLS: options.insecureTLS
        )
        let result = await check.run(context)
        let latency = clock.now - start
        let checkedAt = Date()
        let verdict = CheckVerdict(result, latency: latency, options: options, now: checkedAt)
        count(verdict, on: &resource, failure: result.failure == nil ? nil : result.status)
        return State(
            resourceID: resource.id,
            health: verdict.health,
            status: verdict.status,
            code: nil,
            latency: latency,
            checkedAt: checkedAt,
            consecutiveFailures: resource.consecutiveFailures,
            method: options.method,
            lateness: lateness,
            certificateExpiry: result.certificateExpiry,
            phases: result.phases,
            remoteAddress: result.remoteAddress,
            failure: verdict.health == .up ? nil : result.failure ?? .condition
        )
    }

    /// Counts the poll on the resource it owns (an up verdict resets its failures, a down one adds one)
    /// and logs a poll that got no usable answer (`failure`, its reason).
    private func count(_ verdict: CheckVerdict, on resource: inout Resource, failure: String?) {
        resource.consecutiveFailures = verdict.health == .up ? 0 : resource.consecutiveFailures + 1
        resource.polls += 1
        if let failure { logger.error("poll failed", metadata: ["url": "\(resource.url)", "error": "\(failure)"]) }
    }
}
