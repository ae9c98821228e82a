import ArgumentParser
import Foundation
import Logging
import Metrics
import NIOCore
import Prometheus
import ServiceLifecycle
import URLPollCore

/// The `urlpoll` command: parses the command line, loads the URLs, and runs a ``PollingEngine`` in a
/// service group that turns SIGINT and SIGTERM into a graceful shutdown.
///
/// Exit status: 0 success (in `--once` mode: every URL is up); 1 in `--once` mode when a URL is not up;
/// 64 for bad input (flags, durations, URL lists).
@main
struct URLPollCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "urlpoll",
        abstract: "Poll HTTP(S) URLs on an interval and report whether each is up.",
        discussion: """
            Each URL is polled with an HTTP HEAD request by a bounded pool of pollers (GET when a config \
            file asks for it or when the server rejects HEAD with 405 or 501). A URL is up when its last \
            poll got a status code from 200 to 399 (or the statuses its config expects) and met its \
            conditions, down otherwise (other codes, refused, reset, timeout, invalid response, a failed \
            condition), and pending before its first poll. After a poll a URL sleeps \
            INTERVAL + min(ERROR-BACKOFF × consecutive failures, MAX-BACKOFF) before it is polled again.

            URL lists (--file) hold one URL per line; blank lines and lines starting with # are ignored. \
            A URL given twice is polled once.

            A config file (--config, YAML) holds the global settings, a defaults: block and a urls: list \
            whose entries may set name, interval, timeout, method, headers, expect, max-latency, \
            body-contains, body-matches, follow-redirects, insecure-tls and cert-expiry-warning (see \
            docs/configuration.md). Flags override the file's top-level settings. SIGHUP reloads it.

            Durations are written with units: 500ms, 10s, 1m30s, 2h, 14d.

            Exit status: 0 on success (with --once: every URL is up; with --check-config: the configuration \
            is valid), 1 with --once when any URL is not up, 64 for invalid input (flags, durations, URL \
            lists, config files).
            """
    )

    @Argument(help: "URLs to poll (http or https).")
    var urls: [String] = []

    @Option(name: [.short, .long], help: ArgumentHelp("A URL list, one URL per line; - reads standard input.", valueName: "path"))
    var file: String?

    @Option(
        name: [.short, .long],
        help: ArgumentHelp("A YAML config file: settings, defaults and URLs with per-URL checks. SIGHUP reloads it.", valueName: "path")
    )
    var config: String?

    @Flag(help: "Check the configuration (config file, URL list, arguments, flags), print what would be monitored, and exit: 0 if valid, 64 if not.")
    var checkConfig = false

    @Option(help: "Concurrent pollers: the most polls in flight at once. (default: 64)")
    var pollers: Int?

    @Option(help: durationHelp("Pause between polls of a URL that is up; 0s polls again at once.", default: "60s"), transform: parseDuration)
    var interval: Duration?

    @Option(help: durationHelp("How often the state is reported.", default: "10s"), transform: parseDuration)
    var statusInterval: Duration?

    @Option(help: durationHelp("Extra pause per consecutive failure.", default: "10s"), transform: parseDuration)
    var errorBackoff: Duration?

    @Option(help: durationHelp("The most that failures add to the pause.", default: "10m"), transform: parseDuration)
    var maxBackoff: Duration?

    @Option(help: durationHelp("Bounds one whole poll: connect, TLS, redirects, HEAD→GET retry, body.", default: "10s"), transform: parseDuration)
    var timeout: Duration?

    @Option(
        help: durationHelp("Bounds connecting (TCP and TLS) to a host, within the timeout.", default: "the smaller of 5s and --timeout"),
        transform: parseDuration
    )
    var connectTimeout: Duration?

    @Flag(help: "Poll every URL once, print one report, exit 0 if all are up and 1 otherwise.")
    var once = false

    @Option(help: "Report format: text (an aligned table) or json (one line per report). (default: text)")
    var format: ReportFormat?

    @Option(
        help: durationHelp("Stop after this long, print a final report and exit 0.", default: "run until SIGINT/SIGTERM"),
        transform: parseDuration
    )
    var duration: Duration?

    @Option(
        help: ArgumentHelp(
            "Serve the status page (/), the JSON API (/api/status, /api/urls/{id}), Prometheus metrics (/metrics) and /healthz on HOST:PORT; a bare PORT listens on 127.0.0.1. (default: off)",
            valueName: "address"
        )
    )
    var listen: String?

    @Option(help: "Recent results kept per URL for the status page's sparklines and /api/urls/{id}. (default: 60)")
    var history: Int?

    @Option(
        help: ArgumentHelp(
            "The HTTP client: nio (lean HTTP/1.1 on SwiftNIO, keep-alive connections shared per event loop) or async-http-client (one shared pool). (default: nio)",
            valueName: "client"
        )
    )
    var httpClient: HTTPClientChoice?

    @Flag(help: "Print no reports, periodic or final (errors are still logged); for large lists and benchmarks.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "On exit, write the run's figures (polls, latency and lateness percentiles, memory, CPU) as one JSON line; - = standard output.",
            valueName: "path"
        )
    )
    var stats: String?

    @Option(help: "Log level for messages on standard error: trace, debug, info, notice, warning, error, critical. (default: info)")
    var logLevel: Logger.Level?

    func validate() throws {
        do {
            try Settings().merging(flags).validate()
            if let listen { _ = try ListenAddress(parsing: listen) }
        } catch {
            throw ValidationError(error.message.hasPrefix("--") ? error.message : "--listen \(error.message)")
        }
        if let history, history < 1 || history > 10_000 {
            throw ValidationError("--history must be between 1 and 10000 (got \(history))")
        }
    }

    /// Every setting the user gave as a flag.
    var flags: Settings.Overrides {
        var overrides = Settings.Overrides()
        overrides.pollers = pollers
        overrides.interval = interval
        overrides.statusInterval = statusInterval
        overrides.errorBackoff = errorBackoff
        overrides.maxBackoff = maxBackoff
        overrides.timeout = timeout
        overrides.connectTimeout = connectTimeout
        overrides.once = once ? true : nil
        overrides.format = format
        overrides.duration = duration
        overrides.quiet = quiet ? true : nil
        return overrides
    }

    /// Where this run's configuration comes from; a reload reads the same sources again.
    var sources: RunConfiguration.Sources {
        RunConfiguration.Sources(arguments: urls, file: file, config: config, flags: flags, listen: listen, history: history)
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let level = logLevel ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "urlpoll")
        let sources = self.sources
        // The configuration lives in this block only: the URL list is handed to the engine and then dropped
        // (100k URLs hold megabytes); only a run that reloads on SIGHUP keeps it, to compare against.
        let settings: Settings
        let history: Int
        let listenText: String
        let listenAddress: ListenAddress?
        let reloadBase: RunConfiguration?
        var targets: TargetList?
        do {
            let configuration = try RunConfiguration.load(sources)
            listenAddress = try configuration.listen.map { text throws(InputError) in try ListenAddress(parsing: text) }
            settings = configuration.settings
            history = configuration.history ?? 60
            listenText = configuration.listen ?? ""
            targets = configuration.targets
            reloadBase = config != nil && !settings.once ? configuration : nil
            for duplicate in configuration.targets.duplicates {
                logger.warning("duplicate URL \(duplicate.url) at \(duplicate.again) (first at \(duplicate.first)); polling it once")
            }
            if checkConfig {
                print(ConfigDescription.render(configuration), terminator: "")
                return
            }
            if httpClient == .asyncHTTPClient, configuration.targets.options.contains(where: { $0.certExpiryWarning != nil }) {
                logger.warning("cert-expiry-warning needs --http-client nio: async-http-client does not expose the certificate")
            }
        } catch {
            throw Self.usageFailure(error.message)
        }

        let printer = ReportPrinter(format: settings.format)
        let finalReport = try await withProbe(settings, logger: logger) { probe in
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
            let engine: PollingEngine
            if let listenAddress {
                let registry = PrometheusCollectorRegistry()
                var factory = PrometheusMetricsFactory(registry: registry)
                factory.durationHistogramBuckets[PollMetrics.latenessMetric] = [
                    .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                    .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5), .seconds(30),
                ]
                MetricsSystem.bootstrap(factory)
                engine = PollingEngine(
                    targets: targets.take() ?? TargetList(),
                    settings: settings,
                    probe: probe,
                    logger: logger,
                    historyLength: history,
                    metrics: PollMetrics(factory: factory)
                ) { report in printer.print(report) }
                let refresh = max(2, Int(settings.statusInterval.components.seconds))
                let app = StatusServer.application(
                    address: listenAddress,
                    engine: engine,
                    registry: registry,
                    refreshSeconds: refresh,
                    logger: logger
                ) {
                    port in logger.notice("serving the status page on http://\(ListenAddress(host: listenAddress.host, port: port))/")
                }
                services.append(.init(service: engine, successTerminationBehavior: .gracefullyShutdownGroup))
                services.append(.init(service: app))
            } else {
                engine = PollingEngine(targets: targets.take() ?? TargetList(), settings: settings, probe: probe, logger: logger) { report in
                    printer.print(report)
                }
                services.append(.init(service: engine, successTerminationBehavior: .gracefullyShutdownGroup))
            }
            if let reloadBase {
                services.append(.init(service: ConfigReloader(engine: engine, sources: sources, initial: reloadBase, logger: logger)))
            }
            let group = ServiceGroup(
                configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
            )
            do {
                try await group.run()
            } catch let error as IOError {
                throw Self.usageFailure(
                    "--listen \(listenText): cannot listen (\(FailureDescription.describe(errno: error.errnoCode)))"
                )
            }
            if let stats {
                let summary = await engine.monitor.summary(process: .current())
                try Self.write(summary.json(pollers: settings.pollers), to: stats)
            }
            return await engine.monitor.report()
        }
        if settings.once && finalReport.up != finalReport.urls.count {
            throw ExitCode(1)
        }
    }

    /// Runs `body` with the chosen HTTP client's probe, shutting the client down afterwards.
    func withProbe<Result: Sendable>(_ settings: Settings, logger: Logger, _ body: (any Probe) async throws -> Result) async throws -> Result {
        switch httpClient ?? .nio {
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

    /// Writes `text` to the file at `path`, or to standard output for `-`.
    static func write(_ text: String, to path: String) throws {
        if path == "-" {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        } else {
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw usageFailure("\(path): cannot write the statistics (\(error.localizedDescription))")
            }
        }
    }

    /// Prints `message` as the one error line and exits with status 64 (EX_USAGE).
    static func usageFailure(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
        return ExitCode(64)
    }
}

private func durationHelp(_ text: String, default value: String) -> ArgumentHelp {
    ArgumentHelp("\(text) (default: \(value))", valueName: "duration")
}

private func parseDuration(_ text: String) throws -> Duration {
    do {
        return try DurationFormat.parse(text)
    } catch {
        throw ValidationError(error.message)
    }
}

extension ReportFormat: ExpressibleByArgument {}

/// The HTTP clients urlpoll can poll with.
enum HTTPClientChoice: String, CaseIterable, ExpressibleByArgument {
    case nio
    case asyncHTTPClient = "async-http-client"
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
