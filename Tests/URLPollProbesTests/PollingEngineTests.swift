import Foundation
import Logging
import NIOCore
import NIOEmbedded
import ServiceLifecycle
import Testing

@testable import LeanHTTP
@testable import URLPollCore
@testable import URLPollProbes
@testable import URLPollTestSupport

/// Collects the reports an engine delivers.
actor ReportLog {
    private(set) var reports: [Report] = []
    func append(_ report: Report) { reports.append(report) }
}

@Suite(.timeLimit(.minutes(1)))
struct PollingEngineTests {
    let logger = Logger(label: "test")
    /// Generous: CI runs every suite at once (and a headless browser), and a read timeout that fires under
    /// that load would make a correct engine look wrong. Nothing here waits for a timeout.
    static let timeout = Duration.seconds(10)

    func settings(pollers: Int, interval: Duration = .zero, once: Bool = false, duration: Duration? = nil) -> Settings {
        var settings = Settings()
        settings.pollers = pollers
        settings.interval = interval
        settings.errorBackoff = .zero
        settings.statusInterval = .milliseconds(100)
        settings.once = once
        settings.duration = duration
        return settings
    }

    func targets(_ urls: [String]) -> TargetList {
        TargetList(urls.enumerated().map { URLListEntry(url: $0.element, origin: .argument(position: $0.offset + 1)) })
    }

    func run(_ targets: TargetList, _ settings: Settings, log: ReportLog = ReportLog()) async throws -> Report {
        try await AsyncHTTPClientProbe.withProbe(.init(timeout: Self.timeout, connectionsPerHost: settings.pollers), logger: logger) { probe in
            let engine = PollingEngine(targets: targets, settings: settings, probe: probe, logger: logger) { await log.append($0) }
            await engine.run()
            return await engine.monitor.report()
        }
    }

    @Test(arguments: ProbeKind.allCases)
    func atMostNPollsAreInFlightAndNoURLIsPolledTwiceAtOnce(kind: ProbeKind) async throws {
        try await FakeTarget.with { target in
            let urls = (0..<12).map { target.url("/tracked/\($0)") }
            try await kind.withProbe { probe in
                let engine = PollingEngine(targets: targets(urls), settings: settings(pollers: 3), probe: probe, logger: logger) { _ in }
                try await withThrowingTaskGroup(of: Void.self) { tasks in
                    tasks.addTask { await engine.run() }
                    // Until every URL has been polled three times (the tracked route takes 30 ms a poll).
                    await engine.waitUntilEveryURLIsPolled(3)
                    await engine.scheduler.close()
                    try await tasks.waitForAll()
                }
            }
            let tracker = target.tracker
            // At most the 3 pollers at once (all 3 at once is usual, but a loaded machine may never line them up).
            #expect((1...3).contains(await tracker.maximum))
            #expect(await tracker.maximumPerName == 1)
            #expect(await tracker.total >= 36)
        }
    }

    @Test func onceModePollsEveryURLExactlyOnce() async throws {
        try await FakeTarget.with { target in
            let urls = (0..<10).map { target.url("/tracked/\($0)") } + [target.url("/status/500")]
            let log = ReportLog()
            let report = try await run(targets(urls), settings(pollers: 4, once: true), log: log)
            #expect(await target.tracker.hits.values.sorted() == Array(repeating: 1, count: 10))
            #expect((report.up, report.down, report.pending) == (10, 1, 0), "\(report.urls.map(\.status))")
            #expect(await log.reports.count == 1)
        }
    }

    /// On virtual time: a report at each status interval (100 ms) until `--duration` (450 ms) ends the
    /// run, then the final one: exactly five.
    @Test func reportsEveryStatusIntervalAndOnceMoreAtTheEnd() async throws {
        let log = ReportLog()
        let clock = ManualClock()
        let engine = PollingEngine(
            targets: targets(["http://scripted/a"]),
            settings: settings(pollers: 1, interval: .seconds(60), duration: .milliseconds(450)),
            probe: ScriptedProbe(),
            logger: logger,
            clock: clock
        ) { await log.append($0) }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { await engine.run() }
            await engine.waitUntilEveryURLIsPolled(1)
            for count in 1...4 {
                await clock.advance(by: .milliseconds(100))
                await Self.waitForReports(log, count: count)
            }
            await clock.advance(by: .milliseconds(50))
            try await tasks.waitForAll()
        }
        let reports = await log.reports
        #expect(reports.count == 5)
        #expect(reports.allSatisfy { $0.up == 1 })
    }

    /// Returns once `log` holds `count` reports (each delivery is announced by the engine's callback).
    static func waitForReports(_ log: ReportLog, count: Int) async {
        while await log.reports.count < count { await Task.yield() }
    }

    @Test func aGracefulShutdownLetsPollsInFlightFinishThenReports() async throws {
        let log = ReportLog()
        let probe = ScriptedProbe()
        let engine = PollingEngine(
            targets: targets(["http://scripted/gate", "http://scripted/ok"]),
            settings: settings(pollers: 2, interval: .seconds(60)),
            probe: probe,
            logger: logger,
            clock: ManualClock()
        ) {
            await log.append($0)
        }
        let group = ServiceGroup(services: [engine], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            // The gated poll has started and waits; the other one is done.
            for await url in probe.started where url.contains("gate") { break }
            await engine.waitUntil { $0.up == 1 }
            await group.triggerGracefulShutdown()
            probe.open()
            try await tasks.waitForAll()
        }
        let final = try #require(await log.reports.last)
        #expect((final.up, final.pending) == (2, 0))
    }
}

/// Pollers on NIOProbe run on the event loop that owns their connections, and share them.
struct ConnectionSharingTests {
    @Test func pollersOnALoopShareItsIdleConnections() async throws {
        try await MisbehavingTarget.with(.keepAlive) { target in
            let probe = try NIOProbe()
            var settings = Settings()
            settings.pollers = 16
            settings.interval = .zero
            settings.quiet = true
            // One URL: one poll in flight at a time, taken in turn by every poller.
            let targets = TargetList([URLListEntry(url: target.url, origin: .argument(position: 1))])
            let engine = PollingEngine(targets: targets, settings: settings, probe: probe, logger: Logger(label: "test")) { _ in }
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await engine.run() }
                await engine.waitUntilEveryURLIsPolled(200)
                await engine.scheduler.close()
                try await tasks.waitForAll()
            }
            // A connection per poller would be 16; one per event loop is what the pollers need.
            #expect(target.counters.connections.load(ordering: .relaxed) <= probe.client.loopCount)
        }
    }

    /// A connected embedded channel with a ready response handler, as the pool holds them.
    static func connection(on loop: EmbeddedEventLoop, openedAt: NIODeadline) throws -> PooledConnection {
        let channel = EmbeddedChannel(loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let ready = loop.makePromise(of: ConnectionReady.self)
        let handler = ResponseHandler(ready: ready, isTLS: false)
        ready.succeed(ConnectionReady(handler: NIOLoopBound(handler, eventLoop: loop), connectedAt: openedAt, handshakeEndedAt: nil))
        return PooledConnection(channel: channel, handler: NIOLoopBound(handler, eventLoop: loop), openedAt: openedAt, remoteAddress: "127.0.0.1")
    }

    @Test func thePoolHandsOutTheMostRecentConnectionAndClosesTheOldestWhenFull() throws {
        let loop = EmbeddedEventLoop()
        let pool = ConnectionPool(capacity: 8)
        let key = HTTPTarget(url: "http://a/")!.connection
        let other = HTTPTarget(url: "http://b/")!.connection
        func connection() throws -> PooledConnection { try Self.connection(on: loop, openedAt: .now()) }
        let (first, second) = (try connection(), try connection())
        pool.put(first, for: key)
        pool.put(second, for: key)
        #expect(pool.take(key)?.channel === second.channel)
        #expect(pool.take(other) == nil)
        #expect(pool.take(key)?.channel === first.channel)
        #expect(pool.take(key) == nil && pool.count == 0)

        let connections = try (0..<9).map { _ in try connection() }
        for (index, connection) in connections.enumerated() { pool.put(connection, for: index.isMultiple(of: 2) ? key : other) }
        // The ninth put found the pool full and closed the least recently used connection.
        #expect(pool.count == 8)
        #expect(!connections[0].channel.isActive)
        #expect(connections[1...].allSatisfy { $0.channel.isActive })
        pool.closeAll()
        #expect(pool.count == 0 && connections.allSatisfy { !$0.channel.isActive })
    }

    /// The time is given, not read: the pool runs on virtual time here.
    @Test func thePoolClosesConnectionsIdleForLongerThanItsTimeout() throws {
        let loop = EmbeddedEventLoop()
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let pool = ConnectionPool(capacity: 8, idleTimeout: .seconds(60), surplusIdleTimeout: .seconds(60), now: start)
        let key = HTTPTarget(url: "http://a/")!.connection
        let other = HTTPTarget(url: "http://b/")!.connection
        func connection() throws -> PooledConnection { try Self.connection(on: loop, openedAt: start) }
        let (old, recent, elsewhere) = (try connection(), try connection(), try connection())
        pool.put(old, for: key, now: start)
        pool.put(elsewhere, for: other, now: start + .seconds(10))
        pool.put(recent, for: key, now: start + .seconds(20))
        // A sweep runs at most every half of the (surplus) timeout: one at 45 s closes nothing...
        #expect(pool.take(other, now: start + .seconds(45))?.channel === elsewhere.channel)
        pool.put(elsewhere, for: other, now: start + .seconds(45))
        #expect([old, recent, elsewhere].allSatisfy { $0.channel.isActive } && pool.count == 3)
        // ...the next, at 75 s, closes `old` (75 s idle) and keeps `recent` (55 s) and `elsewhere` (30 s).
        #expect(pool.take(key, now: start + .seconds(75))?.channel === recent.channel)
        #expect(!old.channel.isActive && elsewhere.channel.isActive)
        #expect(pool.count == 1)
        pool.closeAll()
    }

    @Test func aHostsSurplusConnectionsGoSoonerThanItsLastOne() throws {
        let loop = EmbeddedEventLoop()
        let start = NIODeadline.uptimeNanoseconds(1_000_000_000)
        let pool = ConnectionPool(capacity: 8, idleTimeout: .seconds(60), surplusIdleTimeout: .seconds(10), now: start)
        let key = HTTPTarget(url: "http://a/")!.connection
        let connections = try (0..<3).map { _ in try Self.connection(on: loop, openedAt: start) }
        for (index, connection) in connections.enumerated() { pool.put(connection, for: key, now: start + .seconds(Int64(index))) }
        // 15 s on, the two older ones have waited over 10 s: surplus; the most recent one stays.
        pool.closeIdle(now: start + .seconds(15))
        #expect(connections.map(\.channel.isActive) == [false, false, true] && pool.count == 1)
        pool.closeIdle(now: start + .seconds(61))
        #expect(connections[2].channel.isActive)
        pool.closeIdle(now: start + .seconds(63))
        #expect(!connections[2].channel.isActive && pool.count == 0)
    }
}

/// Pollers on NIOProbe run on the event loop that owns their connections.
struct EventLoopExecutorTests {
    @Test func aPollerPreferringItsLoopRunsOnIt() async throws {
        let probe = try NIOProbe()
        let executor = try #require(probe.executor(forPoller: 3) as? EventLoopTaskExecutor)
        let onLoop = await withTaskExecutorPreference(executor) { executor.eventLoop.inEventLoop }
        #expect(onLoop)
        #expect(probe.executor(forPoller: 3) === probe.executor(forPoller: 3 + probe.client.loopCount))
    }
}
