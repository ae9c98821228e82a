import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import Testing

@testable import URLPollCore
@testable import URLPollStorage
@testable import URLPollTestSupport

/// The path from the monitor to the disk: batches, the outbox's bound, and shutdown.
@Suite(.timeLimit(.minutes(1)))
struct HistoryWriterTests {
    static let logger = Logger.silent

    /// A store that counts its write transactions, and can hold them back until opened.
    actor CountingStore: HistoryStore {
        let store: SQLiteHistoryStore
        private(set) var writes = 0
        private(set) var written = 0
        private var gate: [CheckedContinuation<Void, Never>]? = nil
        private var blockedWaiters: [CheckedContinuation<Void, Never>] = []

        /// Returns once a write waits at the closed gate.
        func waitForABlockedWrite() async {
            if gate?.isEmpty == false { return }
            await withCheckedContinuation { blockedWaiters.append($0) }
        }

        init(_ store: SQLiteHistoryStore) { self.store = store }

        func close() { gate = [] }
        func open() {
            let waiting = gate ?? []
            gate = nil
            for writer in waiting { writer.resume() }
        }

        func write(_ events: [HistoryEvent], run: Int64, aliveAt: Date) async throws {
            if gate != nil {
                await withCheckedContinuation { writer in
                    gate?.append(writer)
                    for waiter in blockedWaiters { waiter.resume() }
                    blockedWaiters = []
                }
            }
            writes += 1
            written += events.count
            try await store.write(events, run: run, aliveAt: aliveAt)
        }

        func beginRun(at time: Date) async throws -> Int64 { try await store.beginRun(at: time) }
        func endRun(_ run: Int64, at time: Date) async throws { try await store.endRun(run, at: time) }
        func restore(_ urls: [String]) async throws -> [String: RestoredState] { try await store.restore(urls) }
        func timelines(since: Date, now: Date, run: Int64) async throws -> [String: Timeline] {
            try await store.timelines(since: since, now: now, run: run)
        }
        func results(url: String, since: Date) async throws -> [StoredResult] { try await store.results(url: url, since: since) }
        func incidents(url: String?, since: Date, limit: Int?) async throws -> [Incident] {
            try await store.incidents(url: url, since: since, limit: limit)
        }
        func maintain(now: Date, policy: RetentionPolicy) async throws -> Bool { false }
    }

    static func targets(_ count: Int) -> TargetList {
        TargetList((0..<count).map { URLListEntry(url: "http://h.test/\($0)", origin: .argument(position: $0 + 1)) })
    }

    static func state(_ id: Int) -> State {
        State(resourceID: id, outcome: .response(code: 200, reason: "OK"), latency: .milliseconds(1), checkedAt: Date(), consecutiveFailures: 0)
    }

    /// 10,000 results recorded faster than the writer takes them go to the disk in a few transactions,
    /// and a graceful shutdown writes every one.
    @Test func manyResultsFewTransactionsAndNothingLeftBehind() async throws {
        let directory = try TemporaryDirectory()
        let store = CountingStore(try await SQLiteHistoryStore.open(path: directory.file("history.sqlite")))
        let monitor = StateMonitor(targets: Self.targets(100), historyCapacity: 100_000)
        let run = try await store.beginRun(at: Date())
        let writer = HistoryWriter(store: store, monitor: monitor, board: UptimeBoard(), policy: RetentionPolicy(), run: run, logger: Self.logger)
        for round in 0..<100 {
            for id in 0..<100 { await monitor.record(Self.state(id)) }
            _ = round
        }
        let group = ServiceGroup(services: [writer], logger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await store.written == 10_000)
        #expect(await store.writes <= 2)  // up to 25,000 a batch
        #expect(try await store.store.counts()["result"] == 10_000)
        #expect(await monitor.historyBacklog.queued == 0)
    }

    /// At the outbox's bound, recording waits (the poll waits) until the writer has taken a batch;
    /// nothing is dropped.
    @Test func aFullOutboxMakesPollsWaitAndDropsNothing() async throws {
        let directory = try TemporaryDirectory()
        let store = CountingStore(try await SQLiteHistoryStore.open(path: directory.file("history.sqlite")))
        await store.close()  // the disk "stalls"
        let monitor = StateMonitor(targets: Self.targets(10), historyCapacity: 10)
        let run = try await store.beginRun(at: Date())
        let writer = HistoryWriter(store: store, monitor: monitor, board: UptimeBoard(), policy: RetentionPolicy(), run: run, logger: Self.logger)
        let group = ServiceGroup(services: [writer], logger: Self.logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            let recorded = Atomic<Int>(0)
            let recorder = Task {
                for index in 0..<35 {
                    await monitor.record(Self.state(index % 10))
                    recorded.add(1, ordering: .relaxed)
                }
            }
            // The writer holds one batch (waiting on the stalled disk); the outbox fills behind it.
            while await monitor.historyBacklog.fullWaits == 0 { await Task.yield() }
            #expect(recorded.load(ordering: .relaxed) < 35)
            await store.open()
            await recorder.value
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(await store.written == 35)
        #expect(try await store.store.counts()["result"] == 35)
    }

    /// A database that stops answering (its writes wait, as postgres-nio's do while the server is away):
    /// the writer says so once after ``HistoryWriter/stallNotice`` of (virtual) time, polls are recorded
    /// meanwhile, and it says when the database answers again.
    @Test func aStalledDatabaseIsLoggedOnceAndItsReturnToo() async throws {
        let directory = try TemporaryDirectory()
        let (store, monitor, lines, clock, writer) = try await Self.writerOnVirtualTime(
            CountingStore(try await SQLiteHistoryStore.open(path: directory.file("history.sqlite")))
        )
        await store.close()
        let writing = Task { await writer.writeUntilClosed() }
        await monitor.record(Self.state(0))
        await store.waitForABlockedWrite()
        await clock.advance(by: HistoryWriter.stallNotice)
        try await Eventually.wait("the stall to be logged") { lines.count(containing: "the database has not answered for 10s") == 1 }
        for index in 1..<50 { await monitor.record(Self.state(index % 10)) }  // polls go on
        await clock.advance(by: .seconds(50))
        #expect(lines.count(containing: "has not answered") == 1, "once per stall")
        await store.open()
        try await Eventually.wait("the return to be logged") { lines.count(containing: "the database answers again after 1m") == 1 }
        await monitor.closeHistory()
        await writing.value
        #expect(await store.written == 50)
        #expect(lines.all.allSatisfy { $0.level != .error }, "a stall is not an error: nothing failed")
    }

    /// A store whose writes hang (ignoring cancellation, like a query on a connection the server closed)
    /// until released, and then fail; with `hangs` writes to hang, the later ones go through.
    actor HangingStore: HistoryStore {
        let store: SQLiteHistoryStore
        private var hangs: Int
        private var hanging: [CheckedContinuation<Void, Never>] = []
        private(set) var written = 0

        init(_ store: SQLiteHistoryStore, hangs: Int) {
            self.store = store
            self.hangs = hangs
        }

        nonisolated var mayHang: Bool { true }
        var hangingWrites: Int { hanging.count }

        /// Lets every hanging call end (with an error), so that no continuation is left behind.
        func release() {
            for call in hanging { call.resume() }
            hanging = []
        }

        private func hang() async throws {
            await withCheckedContinuation { hanging.append($0) }
            throw StoreError("the connection was closed")
        }

        func write(_ events: [HistoryEvent], run: Int64, aliveAt: Date) async throws {
            if hangs > 0 {
                hangs -= 1
                try await hang()
            }
            written += events.count
            try await store.write(events, run: run, aliveAt: aliveAt)
        }

        func beginRun(at time: Date) async throws -> Int64 { try await store.beginRun(at: time) }
        func endRun(_ run: Int64, at time: Date) async throws {
            if hangs > 0 { try await hang() }
            try await store.endRun(run, at: time)
        }
        func restore(_ urls: [String]) async throws -> [String: RestoredState] { try await store.restore(urls) }
        func timelines(since: Date, now: Date, run: Int64) async throws -> [String: Timeline] { [:] }
        func results(url: String, since: Date) async throws -> [StoredResult] { try await store.results(url: url, since: since) }
        func incidents(url: String?, since: Date, limit: Int?) async throws -> [Incident] { [] }
        func maintain(now: Date, policy: RetentionPolicy) async throws -> Bool { false }
    }

    /// A writer for `store` on virtual time, logging into the returned lines, with a monitor of 10 URLs.
    static func writerOnVirtualTime<Store: HistoryStore>(
        _ store: Store
    ) async throws -> (Store, StateMonitor, RecordingLogHandler.Lines, ManualClock, HistoryWriter) {
        let monitor = StateMonitor(targets: Self.targets(10), historyCapacity: 1_000)
        let lines = RecordingLogHandler.Lines()
        let clock = ManualClock()
        let writer = HistoryWriter(
            store: store,
            monitor: monitor,
            board: UptimeBoard(),
            policy: RetentionPolicy(),
            run: try await store.beginRun(at: Date()),
            clock: clock,
            logger: RecordingLogHandler.logger(into: lines)
        )
        return (store, monitor, lines, clock, writer)
    }

    /// A write that never answers (postgres-nio has been seen to wait forever on a connection the server
    /// closed mid-query) is given up after ``HistoryWriter/abandonAfter`` and the batch written again:
    /// the history does not stop for good.
    @Test func aWriteThatNeverAnswersIsGivenUpAndTheBatchWrittenAgain() async throws {
        let directory = try TemporaryDirectory()
        let (store, monitor, lines, clock, writer) = try await Self.writerOnVirtualTime(
            HangingStore(try await SQLiteHistoryStore.open(path: directory.file("history.sqlite")), hangs: 1)
        )
        let writing = Task { await writer.writeUntilClosed() }
        for index in 0..<3 { await monitor.record(Self.state(index)) }
        try await Eventually.wait("a write to hang") { await store.hangingWrites == 1 }
        await clock.advance(by: HistoryWriter.abandonAfter)
        try await Eventually.wait("the write to be given up") {
            lines.count(containing: "history: cannot write 3 results (attempt 1): no answer within 2m; polls wait until it works") == 1
        }
        await clock.waitForAnAlarm()
        await clock.advance(by: .seconds(1))  // the pause before the next attempt
        try await Eventually.wait("the batch written again") { lines.count(containing: "history: writing works again (3 results written)") == 1 }
        #expect(await store.written == 3)
        await monitor.closeHistory()
        await writing.value
        await store.release()
        #expect(try await store.store.counts()["result"] == 3)
    }

    /// A database that never answers cannot keep urlpoll from stopping: once the shutdown has begun, the
    /// write in flight gets ``HistoryWriter/shutdownGrace``, and one more attempt the same; then the rest
    /// of the outbox is not tried, the loss is said once, and closing the run gets the same grace.
    @Test func aShutdownWhileTheDatabaseNeverAnswersEndsAfterTheGrace() async throws {
        let directory = try TemporaryDirectory()
        let (store, monitor, lines, clock, writer) = try await Self.writerOnVirtualTime(
            HangingStore(try await SQLiteHistoryStore.open(path: directory.file("history.sqlite")), hangs: 1_000)
        )
        let group = ServiceGroup(services: [writer], logger: Self.logger)
        let running = Task { try await group.run() }
        await monitor.record(Self.state(0))
        try await Eventually.wait("a write to hang") { await store.hangingWrites == 1 }
        for index in 1..<8 { await monitor.record(Self.state(index)) }  // waiting behind it
        // Alarms now: maintenance (60 s), the stall notice (10 s), giving the write up (2 min).
        try await Eventually.wait("the writer's alarms") { clock.pendingAlarms == 3 }
        await group.triggerGracefulShutdown()
        try await Eventually.wait("the shutdown's grace to start") { clock.pendingAlarms == 4 }
        await clock.advance(by: HistoryWriter.shutdownGrace)
        // Given up; a second attempt (on another connection, with a real database) after a second's pause.
        try await Eventually.wait("the pause before a second attempt") {
            lines.count(containing: "history: cannot write 1 results (attempt 1): no answer within 5s") == 1 && clock.pendingAlarms == 2
        }
        await clock.advance(by: .seconds(1))
        try await Eventually.wait("the second attempt") { await store.hangingWrites == 2 && clock.pendingAlarms == 3 }
        await clock.advance(by: HistoryWriter.shutdownGrace)
        try await Eventually.wait("the rest given up and the run closing") {
            lines.count(containing: "history: giving up at shutdown") == 1 && clock.pendingAlarms == 1
        }
        await clock.advance(by: HistoryWriter.shutdownGrace)
        try await running.value
        #expect(lines.count(containing: "history: giving up at shutdown; 8 results are not stored") == 1)
        #expect(lines.count(containing: "history: cannot close the run: no answer within 5s") == 1)
        #expect(lines.count(containing: "cannot write") == 1, "two attempts, one error line")
        await store.release()
    }

    /// With ``HistoryOverflow/dropOldest`` (a shared database), a full outbox never makes a poll wait:
    /// the oldest results give way, a tenth of the outbox at a time, are counted, and the newest stay.
    @Test func aFullOutboxThatDropsTheOldestNeverStopsPolling() async throws {
        let monitor = StateMonitor(targets: Self.targets(10), historyCapacity: 100, historyOverflow: .dropOldest)
        for index in 0..<250 { await monitor.record(Self.state(index % 10)) }  // no writer: nothing drains
        let backlog = await monitor.historyBacklog
        #expect(backlog.fullWaits == 0)
        #expect(backlog.queued <= 100 && backlog.queued + backlog.dropped == 250)
        #expect(backlog.dropped == 150 && backlog.queued == 100)  // every 10 results past the first 100 drop the oldest 10
        await monitor.closeHistory()
        let kept = await monitor.nextHistoryBatch(maximum: 1_000, deadline: .now)
        #expect(kept.count == backlog.queued)
        guard case .polled(let last) = kept.last else {
            Issue.record("the last kept event is not a poll")
            return
        }
        #expect(last.url == "http://h.test/9", "the newest result is kept")
    }
}
