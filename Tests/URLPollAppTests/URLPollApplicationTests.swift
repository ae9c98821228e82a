import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
import URLPollStorage

@testable import URLPollApp
@testable import URLPollConfig
@testable import URLPollCore
@testable import URLPollTestSupport

/// The composition root, driven in process: what the wiring gives each part.
@Suite(.timeLimit(.minutes(1)))
struct URLPollApplicationTests {
    static let logger = Logger.silent

    /// The configuration of a run without a history database (unless `flags` names one).
    static func configuration(_ arguments: [String], flags: Settings.Overrides = .init(), config: String? = nil, listen: String? = nil) throws
        -> (RunConfiguration, RunConfiguration.Sources)
    {
        var flags = flags
        flags.database = flags.database ?? Settings.Database.none
        let sources = RunConfiguration.Sources(arguments: arguments, file: nil, config: config, flags: flags, listen: listen)
        return (try RunConfiguration.load(sources, environment: [:]), sources)
    }

    /// Starts a run of `configuration` that reloads `sources` on each `request.yield()` and sends every
    /// report to `reports`; cancel `run` to stop it.
    static func runReloadable(
        _ configuration: RunConfiguration,
        _ sources: RunConfiguration.Sources
    ) -> (request: AsyncStream<Void>.Continuation, reports: AsyncStream<Report>, run: Task<URLPollApplication.Outcome, any Error>) {
        let (requests, request) = AsyncStream.makeStream(of: Void.self)
        let (reports, report) = AsyncStream.makeStream(of: Report.self)
        let options = URLPollApplication.Options(
            reloadSources: sources,
            reloadRequests: requests,
            shutdownSignals: [],
            onReport: { report.yield($0) }
        )
        let run = Task { try await URLPollApplication(configuration: configuration, options: options, logger: logger).run() }
        return (request, reports, run)
    }

    static func once(timeout: Duration = .seconds(20), connectTimeout: Duration? = nil) -> Settings.Overrides {
        var flags = Settings.Overrides()
        flags.once = true
        flags.quiet = true
        flags.timeout = timeout
        flags.connectTimeout = connectTimeout
        return flags
    }

    @Test(arguments: HTTPClientChoice.allCases)
    func eachClientGetsTheConnectTimeout(client: HTTPClientChoice) async throws {
        let listener = try UnacceptingListener()
        let (configuration, _) = try Self.configuration([listener.url], flags: Self.once(connectTimeout: .milliseconds(300)))
        let options = URLPollApplication.Options(client: client, shutdownSignals: [])
        let outcome = try await URLPollApplication(configuration: configuration, options: options, logger: Self.logger).run()
        #expect(outcome.report.urls.map(\.status) == ["connect timed out"])
        #expect(!outcome.allUp)
    }

    @Test(arguments: HTTPClientChoice.allCases)
    func eachClientGetsTheTimeout(client: HTTPClientChoice) async throws {
        try await FakeTarget.with { target in
            // The connect timeout is set apart, so that a connect slowed by a loaded machine is not what ends the poll.
            let (configuration, _) = try Self.configuration(
                [target.url("/slow/5000")],
                flags: Self.once(timeout: .seconds(2), connectTimeout: .seconds(5))
            )
            let options = URLPollApplication.Options(client: client, shutdownSignals: [])
            let outcome = try await URLPollApplication(configuration: configuration, options: options, logger: Self.logger).run()
            #expect(outcome.report.urls.map(\.status) == ["timed out after 2s"])
        }
    }

    /// With and without a history: the writer, cancelled with the rest when the web server fails, stops.
    @Test(arguments: [false, true])
    func aListenAddressInUseIsOneMessage(withHistory: Bool) async throws {
        let taken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(taken.localAddress?.port)
        let directory = try TemporaryDirectory()
        var flags = Settings.Overrides()
        flags.duration = .seconds(30)
        if withHistory { flags.database = .sqlite(path: directory.file("history.sqlite")) }
        let (configuration, _) = try Self.configuration(["http://127.0.0.1:9/"], flags: flags, listen: "127.0.0.1:\(port)")
        let application = URLPollApplication(configuration: configuration, options: .init(shutdownSignals: []), logger: Self.logger)
        await #expect(throws: URLPollApplication.Failure(message: "--listen 127.0.0.1:\(port): cannot listen (address already in use)")) {
            _ = try await application.run()
        }
        try await taken.close()
    }

    @Test func reloadsRunOnlyWithAConfigFileAndNotOnce() throws {
        let config = try TemporaryFile("urls: [http://127.0.0.1:9/]\n")
        let (configuration, sources) = try Self.configuration([], config: config.path, listen: "127.0.0.1:0")
        #expect(
            URLPollApplication(configuration: configuration, options: .init(reloadSources: sources), logger: Self.logger).services == [
                "engine", "web", "reloader",
            ]
        )
        #expect(URLPollApplication(configuration: configuration, options: .init(), logger: Self.logger).services == ["engine", "web"])
        let (once, onceSources) = try Self.configuration([], flags: Self.once(), config: config.path)
        #expect(URLPollApplication(configuration: once, options: .init(reloadSources: onceSources), logger: Self.logger).services == ["engine"])
    }

    @Test func aReloadRequestAppliesTheEditedFile() async throws {
        try await FakeTarget.with { target in
            let config = try TemporaryFile("interval: 50ms\nstatus-interval: 50ms\nurls: [\(target.url("/ok"))]\n")
            let (configuration, sources) = try Self.configuration([], config: config.path)
            let (request, reports, run) = Self.runReloadable(configuration, sources)
            try "urls: [\(target.url("/ok")), \(target.url("/status/204"))]\n".save(toFile: config.path)
            request.yield()
            // The added URL shows up in a report, polled: the reload took effect.
            for await report in reports where report.urls.count == 2 && report.up == 2 { break }
            run.cancel()
            _ = try? await run.value
        }
    }

    /// A reload that changes a tcp URL's check (its `expect:` corrected) applies it: the URL keeps its
    /// state and turns up. (A URL's kind is its scheme, so a new kind is a new URL, added as any other.)
    @Test(.enabled(if: RedisServer.isInstalled || Tool.required, "needs redis-server"))
    func aReloadChangesATCPURLsCheck() async throws {
        try await RedisServer.with { redis in
            try await FakeTarget.with { target in
                let tcp = "tcp://127.0.0.1:\(redis.port)"
                let entry = { (pattern: String) in "  - url: \(tcp)\n    send: \"PING\\\\r\\\\n\"\n    expect: '\(pattern)'\n    timeout: 1s\n" }
                let config = try TemporaryFile("interval: 50ms\nstatus-interval: 50ms\nurls:\n  - \(target.url("/ok"))\n" + entry("^\\+NOPE"))
                let (configuration, sources) = try Self.configuration([], config: config.path)
                let (request, reports, run) = Self.runReloadable(configuration, sources)
                for await report in reports where report.urls.first(where: { $0.url.shown == tcp })?.health == .down { break }
                try ("interval: 50ms\nstatus-interval: 50ms\nurls:\n  - \(target.url("/ok"))\n" + entry("^\\+PONG")).save(toFile: config.path)
                request.yield()
                for await report in reports where report.urls.first(where: { $0.url.shown == tcp })?.status == "connected" { break }
                run.cancel()
                _ = try? await run.value
            }
        }
    }

    /// A URL removed by one reload and added back by a later one finds its history again: its last state,
    /// failure count and check time, and no poll before its back-off is over (interval 1 h).
    @Test func aURLAddedBackByAReloadGoesOnWhereItWas() async throws {
        try await FakeTarget.with { target in
            let (ok, failing) = (target.url("/ok"), target.url("/status/500"))
            let directory = try TemporaryDirectory()
            let database = directory.file("history.sqlite")
            let config = try TemporaryFile("interval: 1h\nstatus-interval: 50ms\nurls: [\(ok), \(failing)]\n")
            var flags = Settings.Overrides()
            flags.database = .sqlite(path: database)
            let (configuration, sources) = try Self.configuration([], flags: flags, config: config.path)
            let (request, reports, run) = Self.runReloadable(configuration, sources)
            var seen: URLRecord?
            for await report in reports {
                seen = report.urls.first { $0.url.shown == failing && $0.polls == 1 }
                if seen != nil { break }
            }
            let before = try #require(seen)
            try "interval: 1h\nstatus-interval: 50ms\nurls: [\(ok)]\n".save(toFile: config.path)
            request.yield()
            // Removed, and its result written (the writer's batches follow the reports' pace).
            let reader = try SQLiteHistoryStore.openForReading(path: database)
            for await report in reports where report.urls.count == 1 {
                if try await reader.restore([failing])[failing] != nil { break }
            }
            try "interval: 1h\nstatus-interval: 50ms\nurls: [\(ok), \(failing)]\n".save(toFile: config.path)
            request.yield()
            var back: URLRecord?
            for await report in reports where report.urls.count == 2 {
                back = report.urls.first { $0.url.shown == failing }
                break
            }
            run.cancel()
            _ = try? await run.value
            let again = try #require(back)
            #expect(again.health == .down && again.polls == 0)
            #expect(again.consecutiveFailures == before.consecutiveFailures && again.consecutiveFailures == 1)
            // Times come back to the millisecond the store keeps.
            #expect(again.status == before.status && Timestamp.rfc3339(again.since) == Timestamp.rfc3339(before.since))
            #expect(Timestamp.rfc3339(try #require(again.checkedAt)) == Timestamp.rfc3339(try #require(before.checkedAt)))
        }
    }

    @Test func statsAreWrittenWhereAsked() async throws {
        try await FakeTarget.with { target in
            let stats = try TemporaryFile("")
            let (configuration, _) = try Self.configuration([target.url("/ok")], flags: Self.once())
            let options = URLPollApplication.Options(statsPath: stats.path, shutdownSignals: [])
            let outcome = try await URLPollApplication(configuration: configuration, options: options, logger: Self.logger).run()
            #expect(outcome.allUp)
            let json = try JSONSerialization.jsonObject(with: Data(stats.contents.utf8)) as? [String: Any]
            #expect(json?["polls"] as? Int == 1)
            #expect(json?["urls"] as? Int == 1)
        }
    }
}
