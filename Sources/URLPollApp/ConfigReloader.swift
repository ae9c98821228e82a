import Logging
import NIOPosix
import ServiceLifecycle
import URLPollConfig
import URLPollCore
import UnixSignals

/// Re-reads the configuration on SIGHUP (or on each element of `requests`) and hands the new URL list
/// to the running ``PollingEngine``.
///
/// Unchanged URLs keep their state, history and schedule; removed ones stop; new ones start (see
/// ``PollingEngine/reload(_:policy:remembered:)``). A configuration that fails to load is rejected with one error
/// line, and the running one stays. Settings that only a restart can change (pollers, status-interval,
/// format, listen, history) are reported in a warning and keep their running values. Reloads run one
/// at a time, in this service's task; reading and parsing the files (blocking work, megabytes for a
/// moment with a large list) happens on one thread of its own, off Swift's cooperative pool, so every
/// reload reuses the same allocator arena instead of leaving its high-water mark in a new one.
package struct ConfigReloader: Service {
    let engine: PollingEngine
    let sources: RunConfiguration.Sources
    let initial: RunConfiguration
    let requests: AsyncStream<Void>?
    let remembered: (@Sendable ([String]) async -> [String: RestoredState])?
    /// Told each applied URL list (the alert engine, for names, receivers and thresholds per URL).
    let onReload: (@Sendable (TargetList) async -> Void)?
    /// The configuration shared through the database, which then wins over the local files.
    let shared: SharedConfigSource?
    let logger: Logger

    /// A configuration several instances share through their database (`urlpoll sync-config`): the
    /// newest version runs on every instance, checked every ``interval`` and on SIGHUP.
    package struct SharedConfigSource: Sendable {
        /// The database, as messages name it (without a password).
        package let name: String
        /// How often the database is asked for a newer version (the status interval).
        package let interval: Duration
        /// The newest version and its text if it is newer than the one given (any when `nil`); `nil`
        /// when there is none (before the first `sync-config`, or nothing new).
        package let latest: @Sendable (_ after: Int64?) async throws -> (version: Int64, text: String)?

        package init(
            name: String,
            interval: Duration,
            latest: @escaping @Sendable (_ after: Int64?) async throws -> (version: Int64, text: String)?
        ) {
            self.name = name
            self.interval = interval
            self.latest = latest
        }
    }

    /// - Parameters:
    ///   - requests: reload requests in place of SIGHUP (tests); `nil` traps SIGHUP.
    ///   - remembered: what the history knows of URLs a reload adds (see ``PollingEngine/reload(_:policy:remembered:)``).
    package init(
        engine: PollingEngine,
        sources: RunConfiguration.Sources,
        initial: RunConfiguration,
        requests: AsyncStream<Void>? = nil,
        remembered: (@Sendable ([String]) async -> [String: RestoredState])? = nil,
        onReload: (@Sendable (TargetList) async -> Void)? = nil,
        shared: SharedConfigSource? = nil,
        logger: Logger
    ) {
        self.onReload = onReload
        self.shared = shared
        self.engine = engine
        self.sources = sources
        self.initial = initial
        self.requests = requests
        self.remembered = remembered
        self.logger = logger
    }

    package func run() async {
        let loader = NIOThreadPool(numberOfThreads: 1)
        loader.start()
        defer { loader.shutdownGracefully { _ in } }
        var current = initial
        if let shared {
            await follow(shared, loader: loader)
            return
        }
        if let requests {
            for await _ in requests.cancelOnGracefulShutdown() {
                current = await reload(from: current, loader: loader) ?? current
            }
            return
        }
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        logger.debug("reloading \(sources.config ?? "the configuration") on SIGHUP")
        for await _ in hangups.cancelOnGracefulShutdown() {
            current = await reload(from: current, loader: loader) ?? current
        }
    }

    /// Why the shared configuration is checked.
    private enum Check: Sendable {
        case tick
        case hangup
    }

    /// Runs the newest shared version: checks at start, every interval and on SIGHUP (or each element
    /// of `requests`). Before the first `sync-config`, SIGHUP reloads the local files as usual. A version
    /// that does not load here (a variable this instance lacks, say) is logged once and skipped; the
    /// running configuration stays.
    private func follow(_ shared: SharedConfigSource, loader: NIOThreadPool) async {
        let (checks, check) = AsyncStream.makeStream(of: Check.self)
        var current = initial
        var seen: Int64?
        var unreadable = false
        await withDiscardingTaskGroup { tasks in
            tasks.addTask {
                while !Task.isCancelled {
                    check.yield(.tick)
                    try? await Task.sleep(for: shared.interval)
                }
            }
            let requests = self.requests
            tasks.addTask {
                if let requests {
                    for await _ in requests { check.yield(.hangup) }
                } else {
                    for await _ in await UnixSignalsSequence(trapping: .sighup) { check.yield(.hangup) }
                }
            }
            for await reason in checks.cancelOnGracefulShutdown() {
                let latest: (version: Int64, text: String)?
                do {
                    latest = try await shared.latest(seen)
                    unreadable = false
                } catch {
                    if !unreadable { logger.warning("config: cannot read the shared configuration from \(shared.name) (\(error)); running on") }
                    unreadable = true
                    continue
                }
                guard let latest else {
                    // No shared version yet: SIGHUP reloads the local files as usual.
                    if seen == nil, case .hangup = reason { current = await reload(from: current, loader: loader) ?? current }
                    continue
                }
                if seen == nil, let path = sources.config, (try? String(contentsOfFile: path, encoding: .utf8)) != latest.text {
                    logger.warning(
                        "config: \(path) differs from the shared configuration (version \(latest.version) in \(shared.name)); following the database"
                    )
                }
                if seen == nil, !sources.arguments.isEmpty || sources.file != nil {
                    logger.warning(
                        "config: following the shared configuration (version \(latest.version) in \(shared.name)); the URLs given on the command line are not polled"
                    )
                }
                seen = latest.version
                let name = "\(shared.name) config version \(latest.version)"
                current = await reload(from: current, loader: loader, shared: (latest.text, name)) ?? current
            }
            tasks.cancelAll()
        }
    }

    /// `configuration` with its TLS files read again (a renewed certificate is picked up by a reload).
    ///
    /// - Throws: ``InputError`` naming the file, so that the reload is rejected like a bad config file.
    static func preparingTLS(_ configuration: RunConfiguration, logger: Logger) throws(InputError) -> RunConfiguration {
        do {
            return try URLPollApplication.preparingTLS(configuration, logger: logger)
        } catch {
            throw InputError(error.message)
        }
    }

    /// Loads the configuration again and applies it, or logs why not.
    ///
    /// - Returns: the configuration that runs afterwards.
    /// - Parameter loader: the thread that reads and parses the files.
    /// - Parameter shared: a shared configuration's text and name, read instead of the config file.
    package func reload(from current: RunConfiguration, loader: NIOThreadPool, shared: (text: String, name: String)? = nil) async -> RunConfiguration?
    {
        let source = shared?.name ?? sources.config ?? "the configuration"
        let next: RunConfiguration
        do {
            let sources = self.sources
            let loaded = try await loader.runIfActive { try RunConfiguration.load(sources, shared: shared) }
            next = try Self.preparingTLS(loaded, logger: logger)
        } catch let error as InputError {
            logger.error("reload of \(source) rejected, still running the previous configuration: \(error.message)")
            return nil
        } catch {
            logger.error("reload of \(source) not done: \(error)")
            return nil
        }
        let changes = await engine.reload(next.targets, policy: next.settings.sleepPolicy, remembered: remembered)
        await onReload?(next.targets)
        MemoryRelease.releaseFreeMemory()
        logger.notice("reloaded \(source): \(changes.summary)")
        let ignored = initial.restartOnlyChanges(comparedTo: next)
        if !ignored.isEmpty {
            logger.warning("reload cannot change \(ignored.joined(separator: ", ")); restart urlpoll to apply")
        }
        return next
    }
}
