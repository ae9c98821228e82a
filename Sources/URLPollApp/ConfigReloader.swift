import Logging
import ServiceLifecycle
import URLPollConfig
import URLPollCore
import UnixSignals

/// Re-reads the configuration on SIGHUP (or on each element of `requests`) and hands the new URL list
/// to the running ``PollingEngine``.
///
/// Unchanged URLs keep their state, history and schedule; removed ones stop; new ones start (see
/// ``PollingEngine/reload(_:policy:)``). A configuration that fails to load is rejected with one error
/// line, and the running one stays. Settings that only a restart can change (pollers, status-interval,
/// format, listen, history) are reported in a warning and keep their running values. Reloads run one
/// at a time, in this service's task.
public struct ConfigReloader: Service {
    let engine: PollingEngine
    let sources: RunConfiguration.Sources
    let initial: RunConfiguration
    let requests: AsyncStream<Void>?
    let logger: Logger

    /// - Parameter requests: reload requests in place of SIGHUP (tests); `nil` traps SIGHUP.
    public init(
        engine: PollingEngine,
        sources: RunConfiguration.Sources,
        initial: RunConfiguration,
        requests: AsyncStream<Void>? = nil,
        logger: Logger
    ) {
        self.engine = engine
        self.sources = sources
        self.initial = initial
        self.requests = requests
        self.logger = logger
    }

    public func run() async {
        var current = initial
        if let requests {
            for await _ in requests.cancelOnGracefulShutdown() {
                current = await reload(from: current)
            }
            return
        }
        let hangups = await UnixSignalsSequence(trapping: .sighup)
        logger.debug("reloading \(sources.config ?? "the configuration") on SIGHUP")
        for await _ in hangups.cancelOnGracefulShutdown() {
            current = await reload(from: current)
        }
    }

    /// Loads the configuration again and applies it, or logs why not.
    ///
    /// - Returns: the configuration that runs afterwards.
    public func reload(from current: RunConfiguration) async -> RunConfiguration {
        let source = sources.config ?? "the configuration"
        let next: RunConfiguration
        do {
            next = try RunConfiguration.load(sources)
        } catch {
            logger.error("reload of \(source) rejected, still running the previous configuration: \(error.message)")
            return current
        }
        let changes = await engine.reload(next.targets, policy: next.settings.sleepPolicy)
        MemoryRelease.releaseFreeMemory()
        logger.notice("reloaded \(source): \(changes.summary)")
        let ignored = initial.restartOnlyChanges(comparedTo: next)
        if !ignored.isEmpty {
            logger.warning("reload cannot change \(ignored.joined(separator: ", ")); restart urlpoll to apply")
        }
        return next
    }
}
