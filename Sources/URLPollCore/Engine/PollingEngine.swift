import Foundation
import Logging
import ServiceLifecycle

/// The whole monitor: a ``Scheduler`` feeding N ``Poller``s, which report to the ``StateMonitor``,
/// plus the periodic reports.
///
/// ```
///             take()                 record(State)
/// Scheduler ─────────▶ Poller × N ───────────────▶ StateMonitor ──▶ report every status-interval
///     ▲                    │
///     └────complete()──────┘   (the Resource goes back to sleep)
/// ```
///
/// ``run()`` returns when polling is over: in ``Settings/once`` mode after every URL was polled once;
/// otherwise after ``Settings/duration``, a graceful shutdown of the enclosing `ServiceGroup`
/// (SIGINT/SIGTERM), or cancellation. It then stops taking new work, lets polls in flight end (each is
/// bounded by the probe's timeout) and delivers a final report. It conforms to `Service` so that it
/// runs in the same service group as the other parts of the process.
public struct PollingEngine: Service {
    let settings: Settings
    let probe: any Probe
    /// The owner of the state; ask it for reports while and after the engine runs.
    public let monitor: StateMonitor
    /// The owner of the resources that are not being polled.
    public let scheduler: Scheduler
    /// With a shared schedule: what claims due resources before the pollers get them.
    public let claimGate: ClaimGate?
    let logger: Logger
    /// The time of the scheduler, the reports and `--duration` (the probe's clock unless a test gives one).
    let clock: any AlarmClock
    /// Each URL's uptime, when a history is kept.
    public let uptime: UptimeBoard?
    /// The alerting side's status, with alert receivers.
    public let alerting: AlertStatusBoard?
    let onReport: @Sendable (Report) async -> Void

    /// - Parameters:
    ///   - historyLength: recent results kept per URL for the status page (0: none).
    ///   - metrics: where the monitor records per-poll metrics, if anywhere.
    ///   - clock: the scheduling time; by default the probe's ``Probe/alarmClock``.
    ///   - restored: the last state of some targets from an earlier run, by id (with a history).
    ///   - historyCapacity: with a history, how many events the monitor holds for the writer.
    ///   - historyOverflow: when that many wait: polls wait too, or the oldest are dropped.
    ///   - uptime: where reports get each URL's uptime (with a history).
    ///   - alerting: where reports get the self-check's verdict and the alert queues (with receivers).
    ///   - sharedSchedule: the schedule this instance shares with others (none: it polls every URL);
    ///     ignored in ``Settings/once`` mode.
    ///   - claimGatherWindow: with a shared schedule, how long a claim waits for more due URLs
    ///     (``ClaimGate/gatherWindow``).
    ///   - onReport: receives each report, in order, one at a time: one every
    ///     ``Settings/statusInterval`` in long-running mode, and a final one; none when ``Settings/quiet``.
    public init(
        targets: TargetList,
        settings: Settings,
        probe: any Probe,
        logger: Logger,
        historyLength: Int = 0,
        metrics: PollMetrics? = nil,
        clock: (any AlarmClock)? = nil,
        restored: [Int: RestoredState] = [:],
        historyCapacity: Int? = nil,
        historyOverflow: HistoryOverflow = .wait,
        uptime: UptimeBoard? = nil,
        alerting: AlertStatusBoard? = nil,
        sharedSchedule: (any SharedSchedule)? = nil,
        claimGatherWindow: Duration = ClaimGate.defaultGatherWindow,
        onReport: @escaping @Sendable (Report) async -> Void
    ) {
        let clock = clock ?? probe.alarmClock
        self.settings = settings
        self.probe = probe
        self.clock = clock
        self.uptime = uptime
        self.alerting = alerting
        self.monitor = StateMonitor(
            targets: targets,
            historyLength: historyLength,
            metrics: metrics,
            clock: clock,
            restored: restored,
            historyCapacity: historyCapacity,
            historyOverflow: historyOverflow,
            location: settings.location
        )
        self.scheduler = Scheduler(
            targets: targets,
            mode: settings.once ? .once : .repeating(settings.sleepPolicy),
            clock: clock,
            restored: restored
        )
        if let sharedSchedule, !settings.once {
            claimGate = ClaimGate(
                scheduler: scheduler,
                schedule: sharedSchedule,
                pollers: settings.pollers,
                timeout: settings.timeout,
                clock: clock,
                logger: logger,
                gatherWindow: claimGatherWindow
            )
        } else {
            claimGate = nil
        }
        self.logger = logger
        self.onReport = onReport
    }

    public func run() async {
        let source: any ResourceSource = claimGate ?? scheduler
        let poller = Poller(scheduler: source, monitor: monitor, probe: probe, logger: logger, timeout: settings.timeout, clock: clock)
        await withDiscardingTaskGroup { helpers in
            if let duration = settings.duration, !settings.once {
                helpers.addTask { [clock] in
                    try? await clock.sleep(until: clock.now + duration)
                    await scheduler.close()
                }
            }
            if !settings.quiet && !settings.once {
                helpers.addTask { [onReport, settings, clock] in
                    var next = clock.now + settings.statusInterval
                    while (try? await clock.sleep(until: next)) != nil {
                        await onReport(await report())
                        next += settings.statusInterval
                    }
                }
            }
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { pollers in
                    if let claimGate { pollers.addTask { await claimGate.run() } }
                    for index in 0..<settings.pollers {
                        pollers.addTask { await poller.run(index: index) }
                    }
                }
            } onGracefulShutdown: {
                Task { await scheduler.close() }
            }
            helpers.cancelAll()
        }
        if !settings.quiet {
            if let uptime {
                // The final report's uptime includes the last polls: the writer stores them within a
                // batch window (250 ms); a database that does not answer delays the report 2 s at most.
                await uptime.waitUntilRecorded(await monitor.historyEventsToWrite, within: .seconds(2))
            }
            await onReport(await report())
        }
    }

    /// A report of every URL now, with each URL's uptime when a history is kept.
    public func report() async -> Report {
        var report = await monitor.report()
        if let uptime { report.uptime = await uptime.uptime(of: report.urls.map(\.url.configured), now: report.time) }
        if let alerting { report.alerting = await alerting.status }
        return report
    }

    /// This instance's figures for the fleet view: polls and lateness, and its leases and round trips
    /// with the shared schedule (zero without one).
    public func figures() async -> InstanceFigures {
        let (polls, lateness) = await monitor.pollFigures()
        var figures = InstanceFigures(polls: polls, latenessP99: lateness)
        if let claimGate {
            figures.leasesHeld = await claimGate.held
            figures.claimRoundTrips = await claimGate.counts.exchanges
        }
        return figures
    }

    /// Switches to a reloaded list of URLs while running: kept URLs keep their state, history and
    /// schedule (with their new options from the next poll), removed ones stop, added ones are polled now,
    /// or, when `remembered` knows their last state (a URL added back), go on from it like at a restart.
    /// `policy` replaces the sleep policy.
    ///
    /// Call it from one task at a time (the reload loop): each call reads the running set first.
    /// - Parameter remembered: looks up what the history knows of the added URLs.
    @discardableResult
    public func reload(
        _ targets: TargetList,
        policy: SleepPolicy,
        remembered: (@Sendable ([String]) async -> [String: RestoredState])? = nil
    ) async -> TargetChanges {
        let running = await monitor.running()
        let free = await scheduler.reusableIDs()
        var changes = TargetChanges(running: running.ids, nextID: running.nextID, free: free, new: targets)
        if let remembered, !changes.added.isEmpty {
            changes.restore(from: await remembered(changes.added.map(\.url.configured)))
        }
        await monitor.apply(changes)
        await scheduler.apply(changes, policy: policy)
        return changes
    }
}
