import Foundation
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle
import URLPollAlerts
import URLPollConfig
import URLPollCore
import URLPollProbes
import URLPollStorage
import URLPollWeb
import UnixSignals

/// The composition root: builds and runs everything one `urlpoll` run needs from a resolved
/// ``RunConfiguration``, and returns what happened.
///
/// It wires the chosen probe (``HTTPClientChoice``), the metrics, the ``PollingEngine``, the web server
/// (with `listen`) and the ``ConfigReloader`` (with a config file, unless `--once`), runs them in one
/// `ServiceGroup` (SIGINT and SIGTERM shut it down gracefully), and returns the final report and the
/// run's figures, having written them to `--stats` if asked. Everything is in this library, so tests
/// drive a whole run in process; the `urlpoll` command only parses its arguments, calls ``run()`` and
/// turns the ``Outcome`` or ``Failure`` into an exit status.
///
/// Later capabilities plug in here: a store, alert receivers and the cluster are services of their own
/// in the same group, fed from the ``StateMonitor`` (see docs/architecture.md).
package struct URLPollApplication: Sendable {
    /// How to run, besides the configuration.
    package struct Options: Sendable {
        package var client: HTTPClientChoice
        /// Where to write the run's figures (`--stats`): a path, or `-` for standard output.
        package var statsPath: String?
        /// The inputs to read again on SIGHUP (or on ``reloadRequests``); `nil` runs without reloads.
        package var reloadSources: RunConfiguration.Sources?
        /// Reloads requested by other means than SIGHUP (tests); `nil` traps SIGHUP.
        package var reloadRequests: AsyncStream<Void>?
        /// The signals that end the run gracefully.
        package var shutdownSignals: [UnixSignal]
        /// Receives each report (`urlpoll` prints it).
        package var onReport: @Sendable (Report) async -> Void
        /// Called with the web server's port once it listens.
        package var onListening: @Sendable (Int) async -> Void
        /// Ends the run gracefully at its first element, like a shutdown signal (tests).
        package var stopRequests: AsyncStream<Void>?

        package init(
            client: HTTPClientChoice = .nio,
            statsPath: String? = nil,
            reloadSources: RunConfiguration.Sources? = nil,
            reloadRequests: AsyncStream<Void>? = nil,
            shutdownSignals: [UnixSignal] = [.sigterm, .sigint],
            onReport: @escaping @Sendable (Report) async -> Void = { _ in },
            onListening: @escaping @Sendable (Int) async -> Void = { _ in },
            stopRequests: AsyncStream<Void>? = nil
        ) {
            self.stopRequests = stopRequests
            self.client = client
            self.statsPath = statsPath
            self.reloadSources = reloadSources
            self.reloadRequests = reloadRequests
            self.shutdownSignals = shutdownSignals
            self.onReport = onReport
            self.onListening = onListening
        }
    }

    /// What a run ended with.
    package struct Outcome: Sendable {
        /// The state of every URL at the end.
        package let report: Report
        /// The run's figures (what `--stats` writes).
        package let summary: RunSummary
        /// Whether every URL was up at the end (what `--once` exits with).
        package var allUp: Bool { report.up == report.urls.count }
    }

    /// Why a run could not start or finish: a message for the one error line (exit status 64).
    package struct Failure: Error, Equatable, CustomStringConvertible {
        package let message: String
        package var description: String { message }
    }

    package let configuration: RunConfiguration
    package let options: Options
    let logger: Logger

    package init(configuration: RunConfiguration, options: Options = Options(), logger: Logger) {
        self.configuration = configuration
        self.options = options
        self.logger = logger
    }

    /// Which services a run starts, by name, in start order: what the wiring decides, before any I/O.
    package var services: [String] {
        var names = configuration.alerts.isEnabled ? ["alerts"] : []
        if configuration.settings.database != .none || configuration.alerts.isEnabled { names.append("history") }
        names.append("engine")
        if configuration.listen != nil { names.append("web") }
        if reloads { names.append("reloader") }
        return names
    }

    var reloads: Bool { options.reloadSources != nil && !configuration.settings.once }

    /// Runs until the engine is done (`--once`, `--duration`) or a shutdown signal, then returns.
    ///
    /// Consuming: once the engine has the URL list, nothing else keeps it (100,000 URLs hold megabytes),
    /// unless reloads need it to compare against.
    /// - Throws: ``Failure`` when the web server cannot listen, `--stats` cannot be written, the history
    ///   database cannot be used or an alert template does not parse.
    package consuming func run() async throws -> Outcome {
        warnAboutTheConfiguration()
        let (options, logger, reloads) = (self.options, self.logger, self.reloads)
        var configuration: RunConfiguration? = self.configuration
        _ = consume self
        let settings = configuration!.settings
        let listen = configuration!.listen
        let alerts = configuration!.alerts
        try Self.validateAlerts(configuration!)
        configuration = try Self.preparingTLS(configuration!, logger: logger)
        let opening = ContinuousClock.now
        let history = try await HistorySetup.open(
            settings.database,
            targets: configuration!.targets,
            instance: (alerts.instance, settings.location)
        )
        if let history, history.otherWriters > 0, !settings.once {
            logger.notice("history: sharing the schedule of \(history.name) with \(history.otherWriters) other live urlpoll instance(s)")
        }
        if let history {
            logger.info("history: \(history.name) opened, \(history.restored.count) URLs restored in \(ContinuousClock.now - opening)")
        }
        return try await Self.withProbe(options.client, settings: settings, logger: logger) { probe in
            let metrics = listen.map { _ in Self.makeMetrics() }
            let alertBoard = alerts.isEnabled ? AlertStatusBoard() : nil
            let engine = PollingEngine(
                targets: configuration!.targets,
                settings: settings,
                probe: probe,
                logger: logger,
                historyLength: listen == nil ? 0 : settings.history,
                metrics: metrics.map { PollMetrics(factory: $0.factory) },
                restored: history?.restored ?? [:],
                historyCapacity: history == nil && alertBoard == nil ? nil : HistorySetup.outboxCapacity,
                // A database server may be away for long: polling goes on, the oldest results give way.
                historyOverflow: settings.database.isShared ? .dropOldest : .wait,
                uptime: history?.board,
                alerting: alertBoard,
                sharedSchedule: history?.sharedSchedule,
                onReport: options.onReport
            )
            var alertService: AlertService?
            if let alertBoard {
                alertService = try AlertService(
                    settings: alerts,
                    targets: configuration!.targets,
                    store: history?.store ?? MemoryAlertStore(),
                    board: alertBoard,
                    probe: probe,
                    checkTimeout: settings.timeout,
                    recheckInterval: settings.recheckInterval,
                    metrics: metrics.map { AlertMetrics(receivers: alerts.routing.receivers.map(\.name), factory: $0.factory) },
                    logger: logger
                )
            }
            let initial = reloads ? configuration : nil
            configuration = nil
            MemoryRelease.releaseFreeMemory()
            // The history writer stops after the engine (services stop in reverse order), so that every
            // result the monitor received is written; alerting stops last, after the writer has handed it
            // the last batch. Every service is named: service-lifecycle's debug lines would otherwise print
            // each service's default description, which is its stored values (receivers and all).
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            if let alertService { services.append(.init(service: alertService, serviceName: "alerts")) }
            if history != nil || alertService != nil {
                let writer = HistoryWriter(
                    store: history?.store,
                    listener: alertService?.listener,
                    monitor: engine.monitor,
                    board: history?.board ?? UptimeBoard(),
                    policy: settings.retention,
                    run: history?.run ?? 0,
                    logger: logger
                )
                services.append(.init(service: writer, serviceName: "history"))
            }
            services.append(.init(service: engine, successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "engine"))
            if let address = listen, let metrics {
                let logger = logger
                let onListening = options.onListening
                let web = StatusServer.application(
                    address: address,
                    engine: engine,
                    registry: metrics.registry,
                    refreshSeconds: max(2, Int(settings.statusInterval.seconds)),
                    history: history?.store,
                    instances: Self.instanceList(history: history, settings: settings, name: alerts.instance, engine: engine),
                    logger: logger
                ) { port in
                    logger.notice("serving the status page on http://\(ListenAddress(host: address.host, port: port))/")
                    await onListening(port)
                }
                services.append(.init(service: web, serviceName: "web"))
            }
            if let history, let shared = history.store as? PostgresHistoryStore, !settings.once {
                services.append(
                    .init(
                        service: InstanceHeartbeat(store: shared, run: history.run, figures: { await engine.figures() }, logger: logger),
                        serviceName: "heartbeat"
                    )
                )
                services.append(
                    .init(service: FleetStateSync(store: shared, monitor: engine.monitor, run: history.run, logger: logger), serviceName: "fleet")
                )
            }
            if let initial, let sources = options.reloadSources {
                let reloader = ConfigReloader(
                    engine: engine,
                    sources: sources,
                    initial: initial,
                    requests: options.reloadRequests,
                    remembered: history?.rememberedStates(logger: logger),
                    onReload: Self.reloadHook(alertService),
                    shared: (history?.store as? PostgresHistoryStore).map { store in
                        ConfigReloader.SharedConfigSource(name: store.location.description, interval: settings.statusInterval) {
                            try await store.latestConfig(after: $0).map { ($0.version, $0.text) }
                        }
                    },
                    logger: logger
                )
                services.append(.init(service: reloader, serviceName: "reloader"))
            }
            if let stops = options.stopRequests {
                services.append(
                    .init(service: StopRequest(requests: stops), successTerminationBehavior: .gracefullyShutdownGroup, serviceName: "stop")
                )
            }
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: options.shutdownSignals, logger: logger)
            )
            do {
                try await group.run()
            } catch let error as IOError {
                throw Failure(
                    message: "--listen \(listen.map(\.description) ?? ""): cannot listen (\(FailureDescription.describe(errno: error.errnoCode)))"
                )
            }
            let summary = await engine.monitor.summary(process: .current())
            if let path = options.statsPath {
                try Self.write(summary.json(pollers: settings.pollers), to: path)
            }
            let report = await engine.report()
            if let history {
                do {
                    try await history.close()
                } catch {
                    logger.error("history: cannot close \(history.name): \(error)")
                }
            }
            return Outcome(report: report, summary: summary)
        }
    }

    /// Checks what the YAML alone cannot show (`--check-config`): alert templates parse, TLS files exist
    /// and hold what they should.
    package static func validate(_ configuration: RunConfiguration, logger: Logger) throws(Failure) {
        try validateAlerts(configuration)
        _ = try preparingTLS(configuration, logger: logger)
    }

    /// `configuration` with its URLs' TLS settings read and made ready (one context per distinct
    /// settings); warnings (a client key others can read) are logged.
    static func preparingTLS(_ configuration: RunConfiguration, logger: Logger) throws(Failure) -> RunConfiguration {
        guard configuration.targets.options.contains(where: { $0.tls != nil }) else { return configuration }
        do {
            let (targets, warnings) = try TLSPreparation.prepare(configuration.targets)
            for warning in warnings { logger.warning("\(warning)") }
            return configuration.replacingTargets(targets)
        } catch {
            throw Failure(message: error.message)
        }
    }

    /// Checks the alert receivers' templates (what `--check-config` cannot see in the YAML alone).
    package static func validateAlerts(_ configuration: RunConfiguration) throws(Failure) {
        do {
            try AlertService.validate(configuration.alerts)
        } catch {
            throw Failure(message: error.message)
        }
    }

    /// `urlpoll test-alert`: a test event to `receiver` (or every receiver), one attempt each; a line per
    /// receiver in the result, and whether every one accepted it.
    package static func sendTestAlert(_ configuration: RunConfiguration, receiver: String?) async throws(Failure) -> (
        lines: [String], allDelivered: Bool
    ) {
        let results: [AlertTest.Result]
        do {
            results = try await AlertTest.send(configuration.alerts, only: receiver)
        } catch {
            throw Failure(message: error.message)
        }
        let lines = results.map { result in
            "\(result.receiver) (\(result.summary)): " + (result.error.map { "FAILED: \($0.message)" } ?? "delivered")
        }
        return (lines, results.allSatisfy { $0.error == nil })
    }

    /// What `/api/instances` lists: the live instances of a shared (PostgreSQL) database, or this one
    /// alone.
    static func instanceList(history: HistorySetup?, settings: Settings, name: String, engine: PollingEngine)
        -> @Sendable () async throws -> (
            instances: [InstanceInfo], this: Int64
        )
    {
        let started = Date()
        let location = settings.location
        guard let history, let shared = history.store as? PostgresHistoryStore else {
            let run = history?.run ?? 0
            return {
                let this = InstanceInfo(
                    run: run,
                    name: name,
                    location: location,
                    startedAt: started,
                    heartbeatAt: Date(),
                    figures: await engine.figures()
                )
                return ([this], run)
            }
        }
        let run = history.run
        return { (try await shared.instances(now: Date()), run) }
    }

    /// What the reloader tells alerting about each applied URL list.
    static func reloadHook(_ service: AlertService?) -> (@Sendable (TargetList) async -> Void)? {
        guard let service else { return nil }
        return { targets in await service.reload(targets) }
    }

    /// Runs `body` with the chosen client's probe, shutting the client down afterwards. Both clients get
    /// the same settings: the timeout and connect timeout (per URL for `nio`; the global ones for
    /// async-http-client, which has one of each), and a pool sized for the pollers.
    static func withProbe<Result: Sendable>(
        _ client: HTTPClientChoice,
        settings: Settings,
        logger: Logger,
        _ body: (any Probe) async throws -> Result
    ) async throws -> Result {
        switch client {
        case .nio:
            return try await body(try NIOProbe())
        case .asyncHTTPClient:
            let probeSettings = AsyncHTTPClientProbe.Settings(
                timeout: settings.timeout,
                connectTimeout: settings.connectTimeout,
                connectionsPerHost: settings.pollers
            )
            return try await AsyncHTTPClientProbe.withProbe(probeSettings, logger: logger) { try await body($0) }
        }
    }

    /// A registry for `/metrics` and a factory that writes to it (with the lateness and phase histograms' buckets).
    /// Not bootstrapped globally: each run has its own, so runs in one process (tests) stay apart.
    static func makeMetrics() -> (registry: PrometheusCollectorRegistry, factory: PrometheusMetricsFactory) {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.durationHistogramBuckets[PollMetrics.latenessMetric] = [
            .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
            .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
        ]
        factory.durationHistogramBuckets[PollMetrics.phaseMetric] = [
            .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10),
        ]
        return (registry, factory)
    }

    private func warnAboutTheConfiguration() {
        for duplicate in configuration.targets.duplicates {
            logger.warning(
                "duplicate URL \(Excerpt.bounded(duplicate.url.shown)) at \(duplicate.again) (first at \(duplicate.first)); polling it once"
            )
        }
        let quorums = configuration.targets.options.compactMap(\.quorum)
        let shared: Bool
        if case .postgres = configuration.settings.database { shared = true } else { shared = false }
        if let highest = quorums.max(), highest > 1, !shared {
            let advice = "polled from this one location alone, a URL with a quorum above 1 is never down"
            logger.warning(
                "quorum: \(highest) needs instances in \(highest) locations sharing a PostgreSQL database (--database postgres://…); \(advice)"
            )
        }
        if options.client == .asyncHTTPClient {
            if configuration.targets.options.contains(where: { $0.certExpiryWarning != nil }) {
                logger.warning("cert-expiry-warning needs --http-client nio: async-http-client does not expose the certificate")
            }
            if configuration.targets.options.contains(where: { $0.tls?.serverName != nil }) {
                logger.warning("server-name needs --http-client nio: async-http-client sends the URL's host")
            }
            if configuration.targets.options.contains(where: { $0.ipVersion != .any }) {
                logger.warning("ip-version needs --http-client nio: async-http-client connects to any of the host's addresses")
            }
            if configuration.targets.options.contains(where: { $0.connectTimeout != configuration.settings.connectTimeout }) {
                logger.warning("per-URL connect-timeout needs --http-client nio: async-http-client uses the global one")
            }
        }
    }

    /// Writes `text` to the file at `path`, or to standard output for `-`.
    static func write(_ text: String, to path: String) throws(Failure) {
        do {
            if path == "-" {
                try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
            } else {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            }
        } catch {
            throw Failure(message: "\(Excerpt.bounded(path)): cannot write the statistics (\(error.localizedDescription))")
        }
    }
}
