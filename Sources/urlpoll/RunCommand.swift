import ArgumentParser
import Foundation
import Logging
import URLPollApp
import URLPollConfig
import URLPollCore

/// `urlpoll [run]`: parses the command line, loads the configuration, runs a ``URLPollApplication`` and
/// turns what happened into an exit status: 0 success (with `--once`: every URL is up), 1 with `--once`
/// when a URL is not up, 64 for bad input (one message on standard error).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Poll HTTP(S) URLs and TCP ports on an interval and report whether each is up (the default command).",
        discussion: """
            Each URL is polled with an HTTP HEAD request by a bounded pool of pollers (GET when a config \
            file asks for it or when the server rejects HEAD with 405 or 501). A URL is up when its last \
            poll got a status code from 200 to 399 (or the statuses its config expects) and met its \
            conditions, down otherwise (other codes, refused, reset, timeout, invalid response, a failed \
            condition), and pending before its first poll. A tcp://host:port URL is up when the port \
            accepts a connection (and, with send/expect in a config file, answers as expected). After a poll a URL sleeps \
            INTERVAL + min(ERROR-BACKOFF × consecutive failures, MAX-BACKOFF) before it is polled again.

            URL lists (--file) hold one URL per line; blank lines and lines starting with # are ignored. \
            A URL given twice is polled once.

            A config file (--config, YAML) holds the global settings, a defaults: block for every URL and \
            a urls: list whose entries may set name, interval, timeout, method, headers, \
            sensitive-headers, expect, max-latency, body-contains, body-matches, follow-redirects, \
            insecure-tls and cert-expiry-warning (see docs/configuration.md). Flags override the file's \
            top-level settings. SIGHUP reloads it.

            With alerts: receivers (webhook, template presets for Slack, Discord, Teams, PagerDuty and ntfy, \
            Alertmanager, a command), a URL is announced down after failure-threshold failed polls in a row \
            (default 3; until then it is rechecked every recheck-interval, default 10s) and recovered after \
            success-threshold good ones (default 2); when every URL fails without an answer, urlpoll suspects \
            its own network and holds down alerts back (see docs/alerts.md). `urlpoll test-alert` checks a setup.

            Results, outages and uptime are kept in a SQLite file (--database, default urlpoll.sqlite in the \
            working directory), so a restart goes on where it stopped; --database none keeps nothing; \
            --database postgres://user@host:port/db keeps them in PostgreSQL (the password from the URL, \
            PGPASSWORD or a PGPASSFILE, never printed; see docs/postgresql.md).

            Durations are written with units: 500ms, 10s, 1m30s, 2h, 14d.

            Exit status: 0 on success (with --once: every URL is up; with --check-config: the configuration \
            is valid), 1 with --once when any URL is not up, 64 for invalid input (flags, durations, URL \
            lists, config files, a --listen address or a --database that cannot be used).
            """
    )

    /// The defaults the help quotes: the ones the engine uses.
    private static let defaults = Settings()

    @Argument(help: "URLs to poll: http://, https://, tcp://host:port, tls://host:port or dns://server/name?type=T.")
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

    @Option(help: "Concurrent pollers: the most polls in flight at once. (default: \(defaults.pollers))")
    var pollers: Int?

    @Option(
        help: durationHelp("Pause between polls of a URL that is up; 0s polls again at once.", default: defaults.interval),
        transform: parseDuration
    )
    var interval: Duration?

    @Option(help: durationHelp("How often the state is reported.", default: defaults.statusInterval), transform: parseDuration)
    var statusInterval: Duration?

    @Option(help: durationHelp("Extra pause per consecutive failure.", default: defaults.errorBackoff), transform: parseDuration)
    var errorBackoff: Duration?

    @Option(help: durationHelp("The most that failures add to the pause.", default: defaults.maxBackoff), transform: parseDuration)
    var maxBackoff: Duration?

    @Option(
        help: durationHelp("Bounds one whole poll: connect, TLS, redirects, HEAD→GET retry, body.", default: defaults.timeout),
        transform: parseDuration
    )
    var timeout: Duration?

    @Option(
        help: ArgumentHelp(
            "Bounds connecting (TCP and TLS) to a host, within the timeout. (default: the smaller of \(DurationFormat.format(Settings.defaultConnectTimeout)) and --timeout)",
            valueName: "duration"
        ),
        transform: parseDuration
    )
    var connectTimeout: Duration?

    @Flag(help: "Poll every URL once, print one report, exit 0 if all are up and 1 otherwise.")
    var once = false

    @Option(help: "Report format: text (an aligned table) or json (one line per report). (default: \(defaults.format.rawValue))")
    var format: ReportFormat?

    @Option(
        help: ArgumentHelp("Stop after this long, print a final report and exit 0. (default: run until SIGINT/SIGTERM)", valueName: "duration"),
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

    @Option(help: "Recent results kept per URL for the status page's sparklines and /api/urls/{id}. (default: \(defaults.history))")
    var history: Int?

    @Option(
        help: ArgumentHelp(
            "Where results, outages and uptime are kept across restarts: a SQLite file, a postgres:// URL, or none. (default: \(defaults.database))",
            valueName: "path|url"
        )
    )
    /// Parsed in `validate()`, not by a transform: ArgumentParser would quote a rejected value, and a
    /// database URL may hold a password.
    var database: String?

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

    @Option(
        help: ArgumentHelp(
            "Where this instance polls from, as the instances sharing a PostgreSQL database list it (/api/instances); "
                + "a URL with a quorum is polled from every location.",
            valueName: "name"
        )
    )
    var location: String?

    @Option(help: "Log level for messages on standard error: trace, debug, info, notice, warning, error, critical. (default: info)")
    var logLevel: Logger.Level?

    func validate() throws {
        do {
            if let database { _ = try Settings.Database(parsing: database) }
        } catch {
            throw ValidationError("--database: \(error.message)")
        }
        do {
            try Settings().merging(flags).validate()
            if let listen { _ = try ListenAddress(parsing: listen) }
        } catch {
            throw ValidationError(error.message.hasPrefix("--") ? error.message : "--listen \(error.message)")
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
        overrides.history = history
        // Validated before: a value that does not parse never gets here.
        overrides.database = database.flatMap { try? Settings.Database(parsing: $0) }
        overrides.location = location
        return overrides
    }

    func run() async throws {
        signal(SIGPIPE, SIG_IGN)
        let level = logLevel ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let sources = RunConfiguration.Sources(arguments: urls, file: file, config: config, flags: flags, listen: listen)
        let configuration: RunConfiguration
        do {
            configuration = try RunConfiguration.load(sources)
        } catch {
            throw usageFailure(error.message)
        }
        if checkConfig {
            do {
                try URLPollApplication.validate(configuration, logger: Logger(label: "urlpoll"))
            } catch {
                throw usageFailure(error.message)
            }
            print(ConfigDescription.render(configuration), terminator: "")
            return
        }
        let settings = configuration.settings
        let printer = ReportPrinter(format: settings.format)
        let options = URLPollApplication.Options(
            client: httpClient ?? .nio,
            statsPath: stats,
            // With a config file, SIGHUP reloads it; on PostgreSQL, instances also follow the
            // configuration shared through the database (sync-config).
            reloadSources: config == nil && !settings.database.isShared ? nil : sources,
            onReport: { printer.print($0) }
        )
        let outcome: URLPollApplication.Outcome
        do {
            outcome = try await URLPollApplication(configuration: configuration, options: options, logger: Logger(label: "urlpoll")).run()
        } catch let failure as URLPollApplication.Failure {
            throw usageFailure(failure.message)
        }
        if settings.once && !outcome.allUp {
            throw ExitCode(1)
        }
    }

}

/// Prints `message` as the one error line and exits with status 64 (EX_USAGE).
func usageFailure(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
    return ExitCode(64)
}

private func durationHelp(_ text: String, default value: Duration) -> ArgumentHelp {
    ArgumentHelp("\(text) (default: \(DurationFormat.format(value)))", valueName: "duration")
}

func parseDuration(_ text: String) throws -> Duration {
    do {
        return try DurationFormat.parse(text)
    } catch {
        throw ValidationError(error.message)
    }
}

extension ReportFormat: ExpressibleByArgument {}
extension HTTPClientChoice: ExpressibleByArgument {}
extension Logger.Level: @retroactive ExpressibleByArgument {}
