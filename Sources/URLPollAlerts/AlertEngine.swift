import Foundation
import Logging
import URLPollCore

/// The alerting side's one owner of decisions: it takes in every stored poll (as the history writer's
/// ``HistoryListener``), decides with the ``AlertTracker`` and the ``ConnectivityJudge``, stores what it
/// decided (``AlertStore``), and only then hands the deliveries to the receivers' ``DeliveryWorker``s.
///
/// An actor: the tracker, the judge and the URL → target map live here and leave only as values. The
/// calls that reach it are the writer's batches (in order), the service's tick (reminders, the end of a
/// suspicion), the connectivity check's results, reloads, and workers reporting done deliveries.
package actor AlertEngine: HistoryListener {
    let settings: AlertSettings
    let store: any AlertStore
    let board: AlertStatusBoard
    let metrics: AlertMetrics?
    let logger: Logger
    let workers: [String: DeliveryWorker]
    /// The monitored URLs and their options, by URL as configured.
    private var targets: [String: (url: TargetURL, options: CheckOptions)]
    private var tracker = AlertTracker()
    private var judge: ConnectivityJudge
    private var suspectedSince: Date?
    private var nextID: Int64 = 1

    init(
        settings: AlertSettings,
        targets: TargetList,
        store: any AlertStore,
        board: AlertStatusBoard,
        workers: [String: DeliveryWorker],
        metrics: AlertMetrics?,
        logger: Logger
    ) {
        self.settings = settings
        self.store = store
        self.board = board
        self.workers = workers
        self.metrics = metrics
        self.logger = logger
        self.targets = Self.byConfiguredURL(targets)
        judge = ConnectivityJudge(rule: settings.selfCheck)
    }

    /// Takes back what an earlier run left: its announcements, and its undelivered events (queued again).
    func start() async {
        do {
            let ledger = try await store.loadAlerts()
            tracker.restore(ledger.announcements, url: url(of:))
            nextID = (ledger.pending.map(\.id).max() ?? 0) + 1
            var byReceiver: [String: [PendingDelivery]] = [:]
            var orphans: [Int64] = []
            for delivery in ledger.pending {
                if workers[delivery.event.receiver] == nil {
                    orphans.append(delivery.id)
                } else {
                    byReceiver[delivery.event.receiver, default: []].append(delivery)
                }
            }
            for (receiver, deliveries) in byReceiver { await workers[receiver]?.enqueue(deliveries) }
            if !orphans.isEmpty {
                logger.warning("alerts: dropping \(orphans.count) undelivered alerts for receivers no longer configured")
                try await store.finish(orphans)
            }
            if !ledger.pending.isEmpty || !ledger.announcements.isEmpty {
                logger.info(
                    "alerts: \(ledger.announcements.count) ongoing outages announced earlier, \(ledger.pending.count - orphans.count) alerts still to deliver"
                )
            }
        } catch {
            logger.error("alerts: cannot read the alert state (\(error)); starting without it")
        }
        await publish()
    }

    package func historyWritten(_ batch: [HistoryEvent]) async {
        var events: [AlertEvent] = []
        for event in batch {
            switch event {
            case .polled(let poll):
                judge.observe(
                    url: poll.url.configured,
                    at: poll.checkedAt,
                    transportFailure: ConnectivityJudge.isTransportFailure(health: poll.health, code: poll.code, failure: poll.failure)
                )
                if poll.health == .down { events += updateSuspicion(at: poll.checkedAt) }
                events += tracker.observe(
                    poll,
                    name: targets[poll.url.configured]?.options.name,
                    rules: rules(for: poll.url.configured),
                    holdingDown: suspectedSince != nil
                )
            case .removed(let url, _):
                tracker.forget(url: url.configured)
            }
        }
        if let last = batch.last, case .polled(let poll) = last { events += updateSuspicion(at: poll.checkedAt) }
        await commit(events)
    }

    /// Reminders that are due, and the end of a suspicion that no poll ended: every few seconds. With a
    /// shared store, first the other instances' announcements and the deliveries of dead instances.
    func tick(at now: Date) async {
        if store.isShared { await followOtherInstances() }
        var events = updateSuspicion(at: now)
        events += tracker.dueReminders(at: now) { url in rules(for: url) }
        await commit(events)
    }

    /// Takes in what the other instances on a shared store announced (so that this one's polls end
    /// their outages) and the undelivered alerts of instances that died (sent from here).
    private func followOtherInstances() async {
        do {
            let store = self.store
            tracker.sync(try await answered { try await store.announcements() }, url: url(of:))
            let orphans = try await answered { try await store.takeOrphanedDeliveries() }
            if !orphans.isEmpty {
                logger.notice("alerts: delivering \(orphans.count) alerts a stopped instance left undelivered")
                await enqueue(orphans)
            }
        } catch {
            logger.warning("alerts: cannot read the other instances' alerts (\(error)); trying again at the next tick")
        }
    }

    /// A poll of the `connectivity-check` URL.
    func connectivityChecked(failed: Bool, at now: Date) async {
        judge.observeConnectivityCheck(failed: failed)
        await commit(updateSuspicion(at: now))
    }

    /// A reload: new options (names, receivers, thresholds) for the URLs monitored now.
    func reload(_ targets: TargetList) {
        self.targets = Self.byConfiguredURL(targets)
    }

    private static func byConfiguredURL(_ targets: TargetList) -> [String: (url: TargetURL, options: CheckOptions)] {
        Dictionary(targets.targets.map { ($0.url.configured, ($0.url, $0.options)) }, uniquingKeysWith: { first, _ in first })
    }

    /// The monitored URL `configured` names (shown with its own rules); one no longer monitored is shown
    /// with the built-in ones.
    private func url(of configured: String) -> TargetURL {
        targets[configured]?.url ?? TargetURL(configured)
    }

    /// Done deliveries, reported by the workers: removed from the outbox.
    func finished(_ ids: [Int64]) async {
        do {
            let store = self.store
            try await answered { try await store.finish(ids) }
        } catch {
            logger.error("alerts: cannot mark \(ids.count) alerts delivered (\(error)); a restart may send them again")
        }
        await publish()
    }

    /// How long one call of a shared store may go unanswered before it is given up (``Abandonable``): a
    /// database connection that hangs must not stop alerting, nor the history writer that feeds it. As
    /// long as the writer's own limit: a call that is slow, not stuck, should rather be waited for (a
    /// decision given up and stored late is lost to this instance).
    static let storeAnswerLimit = HistoryWriter.abandonAfter

    /// Runs a call of the store; a shared store's (a database server's) is given up after
    /// ``storeAnswerLimit``. A local file's store answers or fails, and is waited for.
    private func answered<T: Sendable>(_ call: @escaping @Sendable () async throws -> T) async throws -> T {
        try await Abandonable.run(within: store.isShared ? Self.storeAnswerLimit : nil, clock: TaskAlarmClock(), call)
    }

    private func rules(for url: String) -> [AlertRule] {
        targets[url].map { settings.routing.rules(url: $0.url, options: $0.options) } ?? []
    }

    /// Starts or ends a suspicion of urlpoll's own network; ending it announces the held URLs still down.
    private func updateSuspicion(at now: Date) -> [AlertEvent] {
        let suspects = judge.suspects(at: now)
        if suspects && suspectedSince == nil {
            suspectedSince = now
            metrics?.setSuspected(true)
            let why = settings.connectivityCheck == nil ? "every URL polled lately failed without an answer" : "the connectivity check fails"
            logger.error("self-check: urlpoll suspects its own network (\(why)); down alerts are held until something answers again")
        } else if !suspects, let since = suspectedSince {
            suspectedSince = nil
            metrics?.setSuspected(false)
            logger.notice(
                "self-check: the network answers again after \(DurationFormat.format(.seconds(now.timeIntervalSince(since).rounded()))); held alerts go out if still down"
            )
            return tracker.releaseHeld(at: now) { url in rules(for: url) }
        }
        return []
    }

    /// Stores the tracker's changes and `events` in one transaction, then hands the events to their workers.
    private func commit(_ events: [AlertEvent]) async {
        let changes = tracker.takeChanges()
        if events.isEmpty && changes.isEmpty {
            await publish()
            return
        }
        var queued: [PendingDelivery] = []
        queued.reserveCapacity(events.count)
        for event in events where workers[event.receiver] != nil {
            queued.append(PendingDelivery(id: nextID, event: event))
            nextID += 1
        }
        var attempt = 0
        while true {
            do {
                let (store, pending) = (self.store, queued)
                queued = try await answered { try await store.save(changes, queued: pending) }
                break
            } catch {
                attempt += 1
                if attempt >= 3 {
                    logger.error("alerts: cannot store \(queued.count) alerts (\(error)); sending them anyway (a restart may repeat them)")
                    break
                }
                try? await Task.sleep(for: .milliseconds(200 * attempt))
            }
        }
        await enqueue(queued)
        await publish()
    }

    /// Hands deliveries to their receivers' workers (those of receivers no longer configured are dropped).
    private func enqueue(_ deliveries: [PendingDelivery]) async {
        var byReceiver: [String: [PendingDelivery]] = [:]
        for delivery in deliveries { byReceiver[delivery.event.receiver, default: []].append(delivery) }
        for (receiver, deliveries) in byReceiver { await workers[receiver]?.enqueue(deliveries) }
    }

    private func publish() async {
        var queued = 0
        for worker in workers.values { queued += await worker.backlog }
        let (since, held, announced) = (suspectedSince, tracker.heldCount, tracker.announcementCount)
        await board.update { status in
            status.suspectedSince = since
            status.held = held
            status.announced = announced
            status.queued = queued
        }
    }
}
