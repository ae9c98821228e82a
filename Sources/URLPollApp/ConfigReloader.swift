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
public struct ConfigReloader: Service {
    let engine: PollingEngine
    let sources: RunConfiguration.Sources
    let initial: RunConfiguration
    let requests: AsyncStream<Void>?
    let remembered: (@Sendable ([String]) async -> [String: RestoredState])?
    /// Told each applied URL list (the alert engine, for names, receivers and thresholds per URL).
    let onReload: (@Sendable (TargetList) async -> Void)?
    let logger: Logger

    /// - Parameters:
    ///   - requests: reload requests in place of SIGHUP (tests); `nil` traps SIGHUP.
    ///   - remembered: what the history knows of URLs a reload adds (see ``PollingEngine/reload(_:policy:remembered:)``).
    public init(
        engine: PollingEngine,
        sources: RunConfiguration.Sources,
        initial: RunConfiguration,
        requests: AsyncStream<Void>? = nil,
        remembered: (@Sendable ([String]) async -> [String: RestoredState])? = nil,
        onReload: (@Sendable (TargetList) async -> Void)? = nil,
        logger: Logger
    ) {
        self.onReload = onReload
        self.engine = engine
        self.sources = sources
        self.initial = initial
        self.requests = requests
        self.remembered = remembered
        self.logger = logger
    }

    public func run() async {
        let loader = NIOThreadPool(numberOfThreads: 1)
        loader.start()
        defer { loader.shutdownGracefully { _ in } }
        var current = initial
        if let requests {
            for await _ in requests.cancelOnGracefulShutdown() {
                current = await reload(from: current, loader: loader)
            }
            return
        }
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        logger.debug("reloading \(sources.config ?? "the configuration") on SIGHUP")
        for await _ in hangups.cancelOnGracefulShutdown() {
            current = await reload(from: current, loader: loader)
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
    public func reload(from current: RunConfiguration, loader: NIOThreadPool) async -> RunConfiguration {
        let source = sources.config ?? "the configuration"
        let next: RunConfiguration
        do {
            let sources = self.sources
            let loaded = try await loader.runIfActive { try RunConfiguration.load(sources) }
            next = try Self.preparingTLS(loaded, logger: logger)
        } catch let error as InputError {
            logger.error("reload of \(source) rejected, still running the previous configuration: \(error.message)")
            return current
        } catch {
            logger.error("reload of \(source) not done: \(error)")
            return current
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
