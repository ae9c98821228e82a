import Foundation
import Logging
import ServiceLifecycle
import URLPollCore
import URLPollStorage

/// Tells the shared database, every ``InstanceInfo/heartbeatInterval``, that this instance is alive,
/// even while it polls nothing (its batches say so too), and what it has done (``InstanceFigures``). A database that does not answer
/// (an error, or no answer within ``BackgroundDatabaseCall/limit``) is logged once until it answers again; the heartbeat never stops the run, nor
/// keeps it from stopping.
struct InstanceHeartbeat: Service {
    let store: PostgresHistoryStore
    let run: Int64
    let figures: @Sendable () async -> InstanceFigures
    let logger: Logger

    func run() async {
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let (store, run, figures) = (self.store, self.run, await figures())
                try await BackgroundDatabaseCall.run { try await store.heartbeat(run: run, at: Date(), figures: figures) }
                if failing { logger.notice("instances: heartbeat works again") }
                failing = false
            } catch is CancellationError {
                return
            } catch {
                if !failing { logger.warning("instances: cannot record this instance's heartbeat (\(error)); trying again") }
                failing = true
            }
            // Ends at once on a graceful shutdown (the run's end records the stop).
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: InstanceInfo.heartbeatInterval) }
        }
    }
}
