import DequeModule
import Foundation
import Logging

/// Stands between the ``Scheduler`` and the ``Poller``s when several instances share one schedule
/// (``SharedSchedule``): a resource that falls due here is polled only if this instance wins its claim.
///
/// ```
///            take()         claim (batch)          take()
/// Scheduler ───────▶ ClaimGate ◀────────▶ database    ───────▶ Poller × N
///     ▲                 │  not ours: back to sleep until the database's due time
///     └─────────────────┴──── complete(): due again; the release rides with the next claim
/// ```
///
/// Inside the instance the design is unchanged: the gate is one more owner a ``Resource`` passes
/// through, never two at once. It takes due resources in batches
/// (``LeaseRules/claimSize(pollers:held:limit:)``; a batch that is not full waits up to
/// ``gatherWindow`` after its first resource fell due, so that URLs falling due close together share a
/// round trip), claims them in one round trip together with the releases of the polls that ended
/// since the last one, hands the claimed ones to the pollers (with the failure count the database
/// knows, so back-off and alert thresholds continue whichever instance polled last) and puts the others
/// back to sleep until the database says they may be claimed. Releases that find no claim to ride with
/// go out within ``releaseDelay``. A URL with a quorum is claimed and released for this instance's
/// location's row (``ClaimRequest/perLocation``), so every location polls it.
///
/// When the schedule cannot be reached (an error, or no answer within ``exchangeDeadline``), the gate
/// logs it once and keeps polling the URLs this instance held at its last claims (its *share*) without
/// claims, and retries the others with a growing pause; the first answer ends the outage (logged once).
///
/// Guarantees: a resource is in the scheduler, in the gate (claimed, waiting for a poller) or with one
/// poller; the gate keeps a claim's token only while the resource is out; a claimed resource that
/// waited for a poller longer than its timeout is not polled but released (its lease could end before
/// its poll did); ``run()`` returns after the scheduler closed and every poll in flight came back,
/// having released every lease it still held.
public actor ClaimGate: ResourceSource {
    let scheduler: Scheduler
    let schedule: any SharedSchedule
    let rules: LeaseRules
    let pollers: Int
    /// The timeout of URLs whose options set none (a lease outlasts the poll).
    let timeout: Duration
    let clock: any AlarmClock
    let logger: Logger
    /// How long a batch that is not full waits for more due resources (see the type's description).
    let gatherWindow: Duration

    /// The default ``gatherWindow``: what a poll may start late so that claims are fewer and larger.
    public static let defaultGatherWindow = Duration.milliseconds(20)
    /// How long a release may wait for a claim to ride with.
    public static let releaseDelay = Duration.seconds(1)
    /// How long an exchange may take before the schedule counts as unreachable.
    public static let exchangeDeadline = Duration.seconds(5)
    /// The least pause before a deferred URL is asked for again.
    static let minimumWait = Duration.milliseconds(250)

    /// A claim this instance holds: its token, and whether it is for this location's row.
    private struct Lease {
        let token: Int64
        let perLocation: Bool
    }

    private struct PendingRelease {
        let url: String
        let lease: Lease
        let due: ContinuousClock.Instant
        let failures: Int
    }

    /// Claimed resources waiting for a poller, with when they were claimed.
    private var ready: Deque<(resource: Resource, claimedAt: ContinuousClock.Instant)> = []
    private var idlePollers: Deque<CheckedContinuation<Resource?, Never>> = []
    private var roomWaiter: CheckedContinuation<Void, Never>?
    private var drainWaiter: CheckedContinuation<Void, Never>?
    private var leases: [Int: Lease] = [:]
    private var share: Set<Int> = []
    private var releases: [PendingRelease] = []
    private var polling = 0
    private var isClosed = false
    private var lastExchange: ContinuousClock.Instant
    private var outage: (since: ContinuousClock.Instant, failures: Int)?

    /// What the gate did so far, for `/metrics` and tests.
    public struct Counts: Sendable, Equatable {
        public var exchanges = 0
        public var claimed = 0
        public var deferred = 0
        public var unclaimedPolls = 0
        public var failedExchanges = 0
    }
    public private(set) var counts = Counts()
    /// Until when the gate waits for more due resources to join a batch, while it does (a test on
    /// virtual time moves the clock on until then).
    public private(set) var gatheringUntil: ContinuousClock.Instant?
    /// Exchanges with the schedule that have not answered yet.
    public private(set) var exchangesInFlight = 0

    public init(
        scheduler: Scheduler,
        schedule: any SharedSchedule,
        rules: LeaseRules = LeaseRules(),
        pollers: Int,
        timeout: Duration,
        clock: any AlarmClock,
        logger: Logger,
        gatherWindow: Duration = defaultGatherWindow
    ) {
        self.gatherWindow = gatherWindow
        self.scheduler = scheduler
        self.schedule = schedule
        self.rules = rules
        self.pollers = pollers
        self.timeout = timeout
        self.clock = clock
        self.logger = logger
        lastExchange = clock.now
    }

    /// Leases held now: claimed resources waiting for a poller or being polled.
    public var held: Int { leases.count }

    // MARK: The pollers' side

    public func take() async -> Resource? {
        while let (resource, claimedAt) = ready.popFirst() {
            wakeRoomWaiter()
            if clock.now - claimedAt > (resource.options.timeout ?? timeout), let lease = leases.removeValue(forKey: resource.id) {
                // Its lease may end before a poll started now would: let it go, due at once.
                releases.append(PendingRelease(url: resource.url.configured, lease: lease, due: clock.now, failures: resource.consecutiveFailures))
                await scheduler.putBack(resource, due: clock.now)
                continue
            }
            polling += 1
            return resource
        }
        if isClosed { return nil }
        return await withCheckedContinuation { idlePollers.append($0) }
    }

    public func completeAndTake(_ resource: Resource) async -> Resource? {
        let lease = leases.removeValue(forKey: resource.id)
        let due = await scheduler.complete(resource)
        polling -= 1
        if let lease {
            releases.append(PendingRelease(url: resource.url.configured, lease: lease, due: due ?? clock.now, failures: resource.consecutiveFailures))
        }
        if polling == 0, let waiter = drainWaiter {
            drainWaiter = nil
            waiter.resume()
        }
        return await take()
    }

    // MARK: The claiming side

    /// Claims due resources until the scheduler closes, then waits for the polls in flight and releases
    /// every lease still held. Run it beside the pollers.
    public func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.flushReleasesPeriodically() }
            while let first = await scheduler.take() {
                var batch = [first]
                let size = rules.claimSize(pollers: pollers, held: ready.count + polling)
                batch += await scheduler.takePending(limit: size - batch.count)
                let gathered = first.dueAt + gatherWindow
                if batch.count < size, gathered > clock.now {
                    gatheringUntil = gathered
                    let slept = (try? await clock.sleep(until: gathered)) != nil
                    gatheringUntil = nil
                    if slept { batch += await scheduler.takePending(limit: size - batch.count) }
                }
                await claim(batch)
                await waitForRoom()
            }
            close()
            await waitForPollsInFlight()
            await releaseEverything()
            group.cancelAll()
        }
    }

    /// Claims `batch` (sending the pending releases with it) and hands each resource on: to a poller
    /// when claimed, back to the scheduler when not.
    private func claim(_ batch: [Resource]) async {
        let intervals = await scheduler.intervals(of: batch)
        let requests = zip(batch, intervals).map { resource, interval in
            ClaimRequest(
                url: resource.url.configured,
                sleep: interval,
                lease: rules.lease(timeout: resource.options.timeout ?? timeout),
                perLocation: resource.options.quorum != nil
            )
        }
        let answer: ClaimAnswer
        do {
            answer = try await exchange(claims: requests)
        } catch {
            // `exchange` logged the outage.
            await pollOnWithoutClaims(batch)
            return
        }
        for var resource in batch {
            if let claim = answer.claimed[resource.url.configured] {
                resource.consecutiveFailures = claim.failures
                leases[resource.id] = Lease(token: claim.token, perLocation: resource.options.quorum != nil)
                share.insert(resource.id)
                counts.claimed += 1
                hand(resource)
            } else {
                share.remove(resource.id)
                counts.deferred += 1
                let wait = max(answer.deferred[resource.url.configured] ?? Self.minimumWait, Self.minimumWait)
                await scheduler.putBack(resource, due: clock.now + wait)
            }
        }
    }

    /// One round trip with the schedule: the pending releases and `claims`. On failure the releases are
    /// kept for the next one (each carries its token, so a late release never frees a newer claim).
    private func exchange(claims: [ClaimRequest]) async throws -> ClaimAnswer {
        let sending = releases
        releases = []
        let now = clock.now
        let wire = sending.map {
            LeaseRelease(url: $0.url, token: $0.lease.token, wait: max(.zero, $0.due - now), failures: $0.failures, perLocation: $0.lease.perLocation)
        }
        lastExchange = now
        counts.exchanges += 1
        exchangesInFlight += 1
        defer { exchangesInFlight -= 1 }
        do {
            let answer = try await Abandonable.run(within: Self.exchangeDeadline, clock: clock) { [schedule] in
                try await schedule.exchange(claims: claims, releases: wire)
            }
            if let outage {
                logger.notice(
                    "shared schedule: the database answers again after \(DurationFormat.format(clock.now - outage.since)); claiming as before"
                )
                self.outage = nil
            }
            return answer
        } catch {
            releases = sending + releases
            counts.failedExchanges += 1
            if outage == nil {
                outage = (clock.now, 0)
                logger.error(
                    "shared schedule: cannot reach the database (\(error)); polling on the \(share.count) URLs this instance held, without claims, until it answers"
                )
            }
            outage?.failures += 1
            throw error
        }
    }

    /// During an outage: the resources this instance held at its last claims are polled anyway; the
    /// others wait a pause that grows with the outage (1 s, doubling, at most 30 s).
    private func pollOnWithoutClaims(_ batch: [Resource]) async {
        let failures = outage?.failures ?? 1
        let pause = Duration.seconds(min(30, 1 << min(failures - 1, 5)))
        for resource in batch {
            if share.contains(resource.id) {
                counts.unclaimedPolls += 1
                hand(resource)
            } else {
                await scheduler.putBack(resource, due: clock.now + pause)
            }
        }
    }

    private func hand(_ resource: Resource) {
        if let poller = idlePollers.popFirst() {
            polling += 1
            poller.resume(returning: resource)
        } else {
            ready.append((resource, clock.now))
        }
    }

    /// The most claimed resources that wait for pollers before the gate claims more: three rounds of
    /// its pollers (claims stay fresh, and a round trip's worth is always ready).
    private var readyLimit: Int { 3 * pollers }

    private func waitForRoom() async {
        guard !isClosed, ready.count >= readyLimit else { return }
        await withCheckedContinuation { roomWaiter = $0 }
    }

    private func wakeRoomWaiter() {
        guard let waiter = roomWaiter, ready.count < readyLimit else { return }
        roomWaiter = nil
        waiter.resume()
    }

    private func close() {
        isClosed = true
        while let poller = idlePollers.popFirst() { poller.resume(returning: nil) }
        if let waiter = roomWaiter {
            roomWaiter = nil
            waiter.resume()
        }
    }

    private func waitForPollsInFlight() async {
        guard polling > 0 else { return }
        await withCheckedContinuation { drainWaiter = $0 }
    }

    /// At the end: the claimed resources no poller took are released due now (another instance polls
    /// them at once), with the releases of the last polls.
    private func releaseEverything() async {
        for (resource, _) in ready {
            guard let lease = leases.removeValue(forKey: resource.id) else { continue }
            releases.append(PendingRelease(url: resource.url.configured, lease: lease, due: clock.now, failures: resource.consecutiveFailures))
        }
        ready.removeAll()
        guard !releases.isEmpty else { return }
        _ = try? await exchange(claims: [])
    }

    private func flushReleasesPeriodically() async {
        while (try? await clock.sleep(until: clock.now + Self.releaseDelay)) != nil {
            if !releases.isEmpty, clock.now - lastExchange >= Self.releaseDelay {
                _ = try? await exchange(claims: [])
            }
        }
    }
}
