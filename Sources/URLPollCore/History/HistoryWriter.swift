import Foundation
import Logging
import ServiceLifecycle

/// The history side of a run, as a service: the only writer of results.
///
/// - It drains the ``StateMonitor``'s history outbox in batches, one transaction each: at most every
///   ``batchWindow`` (250 ms), sooner when ``largeBatch`` events are waiting. So a result reaches the disk
///   within about 250 ms, which bounds what a `kill -9` can lose; a failed write is retried (with a log
///   line), never dropped, and meanwhile the outbox fills and polls wait.
/// - Every ``maintenanceInterval`` (and once at start) it lets the store roll up finished hours and apply
///   retention, in small steps between batches, then recomputes every URL's uptime for the reports
///   (``UptimeBoard``); each batch it stores also goes to the board, so reports are current between
///   the recomputations.
/// - After each batch is stored, it hands the batch to its ``HistoryListener`` (the alert engine), so an
///   alert never goes out for a result the history does not have. Without a store (`--database none`
///   with alerts), it only hands the batches on.
/// - On a graceful shutdown it stops once everything the monitor received is written (so it must stop
///   after the engine: list it before the engine in the service group), and ends the run. Cancelled
///   (the group failed, say, because the web server could not listen), it stops at once, saying how many
///   results it could not write.
/// - It never waits forever for a store that may hang (``HistoryStore/mayHang``: a database server). A
///   write that has not answered after ``abandonAfter`` is given up (cancelled, not waited for) and the
///   batch written again. Once the shutdown has begun, each
///   attempt gets ``shutdownGrace`` (a second attempt, on another connection, gets past one that hangs);
///   when two have not answered, what is left is not written (and said so), so a database that is away
///   cannot keep urlpoll from stopping: about 16 s at most, closing the run included.
public struct HistoryWriter: Service {
    public static let batchWindow: Duration = .milliseconds(250)
    public static let largeBatch = 25_000
    public static let maintenanceInterval: Duration = .seconds(60)
    /// How long a write may wait for the database before the writer says so (once per stall): a
    /// database server that went away makes writes wait for its return instead of failing.
    public static let stallNotice: Duration = .seconds(10)
    /// How long one write may go unanswered before it is given up and the batch written again: longer
    /// than any outage a write should simply wait out, and short enough that a write stuck for good
    /// (postgres-nio waiting for a connection the server closed mid-query) does not stop the history.
    public static let abandonAfter: Duration = .seconds(120)
    /// How long the store may take to answer each attempt once the shutdown has begun.
    public static let shutdownGrace: Duration = .seconds(5)

    let store: (any HistoryStore)?
    let listener: (any HistoryListener)?
    let monitor: StateMonitor
    let board: UptimeBoard
    let policy: RetentionPolicy
    let run: Int64
    let clock: any AlarmClock
    let logger: Logger

    public init(
        store: (any HistoryStore)?,
        listener: (any HistoryListener)? = nil,
        monitor: StateMonitor,
        board: UptimeBoard,
        policy: RetentionPolicy,
        run: Int64,
        clock: any AlarmClock = TaskAlarmClock(),
        logger: Logger
    ) {
        self.store = store
        self.listener = listener
        self.monitor = monitor
        self.board = board
        self.policy = policy
        self.run = run
        self.clock = clock
        self.logger = logger
    }

    public func run() async {
        await withDiscardingTaskGroup { tasks in
            if store != nil { tasks.addTask { await maintainForever() } }
            await withGracefulShutdownHandler {
                await writeUntilClosed()
            } onGracefulShutdown: {
                Task { await monitor.closeHistory() }
            }
            tasks.cancelAll()
        }
        guard let store else { return }
        let run = self.run
        do {
            try await Abandonable.run(within: store.mayHang ? Self.shutdownGrace : nil, clock: clock) {
                try await store.endRun(run, at: Date())
            }
        } catch {
            logger.error("history: cannot close the run: \(error)")
        }
    }

    /// Writes batches until the monitor's outbox is closed and drained. Once a batch has been given up at
    /// shutdown, the rest is not tried: it is counted, and the loss said once.
    func writeUntilClosed() async {
        var lastWrite = clock.now - Self.batchWindow
        var lost = 0
        while true {
            let batch = await monitor.nextHistoryBatch(maximum: Self.largeBatch, deadline: lastWrite + Self.batchWindow)
            if batch.isEmpty { break }
            lastWrite = clock.now
            if lost > 0 {
                lost += batch.count
            } else if await write(batch) {
                if store != nil { await board.record(batch) }
                await listener?.historyWritten(batch)
            } else if Task.isShuttingDownGracefully {
                lost = batch.count
            }
        }
        if lost > 0 { logger.critical("history: giving up at shutdown; \(lost) results are not stored") }
    }

    /// Writes one batch, retrying until it is stored. Shutting down, it gives up after three failed
    /// attempts, or two that got no answer within ``shutdownGrace``; cancelled, it stops at once, saying
    /// how many results were lost. Returns whether the batch is stored (always, without a store).
    @discardableResult
    func write(_ batch: [HistoryEvent]) async -> Bool {
        guard let store else { return true }
        var attempt = 0
        while true {
            if Task.isCancelled {
                logger.error("history: stopped before writing \(batch.count) results")
                return false
            }
            do {
                try await writeNoticingStalls(batch, to: store)
                if attempt > 0 { logger.notice("history: writing works again (\(batch.count) results written)") }
                return true
            } catch {
                attempt += 1
                if attempt == 1 || attempt.isMultiple(of: 10) {
                    logger.error("history: cannot write \(batch.count) results (attempt \(attempt)): \(error); polls wait until it works")
                }
                if Task.isShuttingDownGracefully && (attempt >= 3 || (attempt >= 2 && error is NoAnswer)) { return false }
                try? await clock.sleep(until: clock.now + .seconds(min(30, attempt)))
            }
        }
    }

    /// Writes `batch`; if the store has not answered after ``stallNotice``, logs it once (polling goes
    /// on, results wait in the outbox), and when it answers, logs how long it took and how many results
    /// the outbox dropped for room meanwhile (``HistoryOverflow/dropOldest``).
    ///
    /// - Throws: what the store throws, or, for a store that may hang, ``NoAnswer`` when it has not
    ///   answered within ``abandonAfter`` or, once the shutdown has begun, within ``shutdownGrace`` of it.
    ///   The write is then abandoned (such a store's writes are harmless to repeat).
    private func writeNoticingStalls(_ batch: [HistoryEvent], to store: any HistoryStore) async throws {
        let started = clock.now
        let (run, clock, logger) = (self.run, self.clock, self.logger)
        let limit = store.mayHang ? (Task.isShuttingDownGracefully ? Self.shutdownGrace : Self.abandonAfter) : nil
        let outcome = await withTaskGroup(of: Result<Void, any Error>?.self) { group in
            group.addTask {
                do {
                    try await Abandonable.run(within: limit, clock: clock) { try await store.write(batch, run: run, aliveAt: Date()) }
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
            if let limit, limit > Self.shutdownGrace {
                // A shutdown that begins while this write waits gives it ``shutdownGrace`` from then on.
                group.addTask {
                    do {
                        try await gracefulShutdown()
                        try await clock.sleep(until: clock.now + Self.shutdownGrace)
                    } catch {
                        return nil
                    }
                    return .failure(NoAnswer(limit: Self.shutdownGrace))
                }
            }
            group.addTask {
                try? await clock.sleep(until: started + Self.stallNotice)
                if !Task.isCancelled {
                    logger.warning(
                        "history: the database has not answered for \(DurationFormat.format(Self.stallNotice)); polling goes on, results wait in memory"
                    )
                }
                return nil
            }
            var outcome: Result<Void, any Error>?
            for await finished in group where outcome == nil {
                guard let finished else { continue }
                outcome = finished
                group.cancelAll()
            }
            return outcome ?? .failure(CancellationError())
        }
        let waited = clock.now - started
        if waited >= Self.stallNotice, case .success = outcome {
            logger.notice("history: the database answers again after \(DurationFormat.format(waited)) (\(batch.count) results written)")
            let dropped = await monitor.historyBacklog.dropped
            if dropped > 0 {
                logger.warning("history: \(dropped) results dropped for room in this run while the database did not answer (the newest were kept)")
            }
        }
        try outcome.get()
    }

    /// Maintenance and uptime, now and then every ``maintenanceInterval``, until cancelled.
    func maintainForever() async {
        while !Task.isCancelled {
            await maintainOnce()
            try? await clock.sleep(until: clock.now + Self.maintenanceInterval)
        }
    }

    /// Runs maintenance steps until there is nothing left to do for now, then refreshes the uptime board.
    public func maintainOnce() async {
        guard let store else { return }
        do {
            while !Task.isCancelled, try await store.maintain(now: Date(), policy: policy) {
                await Task.yield()
            }
            let now = Date()
            let timelines = try await store.timelines(since: now.addingTimeInterval(-Uptime.Window.month.duration), now: now, run: run)
            await board.refresh(from: timelines, now: now)
        } catch is CancellationError {
            return
        } catch {
            logger.error("history: maintenance failed (it is tried again in a minute): \(error)")
        }
    }
}
