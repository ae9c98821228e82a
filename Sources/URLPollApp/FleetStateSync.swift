import Foundation
import Logging
import ServiceLifecycle
import URLPollCore
import URLPollStorage

/// Brings the states other instances record in the shared database into this instance's
/// ``StateMonitor`` every ``period``, so that its page, `/api/status`, `/metrics` and reports show the
/// whole fleet, and its next poll of a URL another instance polled last starts or ends an outage
/// against the true state before it. For URLs with a quorum it also brings every location's latest
/// view, which the monitor's next poll of the URL judges with (``LocationViews``).
///
/// Reads the states the other runs recorded since the newest one it saw, less ``overlap`` (a batch
/// committed late holds older check times); the monitor keeps whichever state is newer. A database that does not
/// answer (an error, or no answer within ``BackgroundDatabaseCall/limit``) is logged once until it answers again; polling never
/// waits for this, and a shutdown ends a read in flight at once.
struct FleetStateSync: Service {
    let store: PostgresHistoryStore
    let monitor: StateMonitor
    /// This instance's run: its own states are not read back.
    let run: Int64
    let logger: Logger

    static let period = Duration.seconds(2)
    /// More than a batch's way from a poll to its commit (at most every 250 ms, then one transaction).
    static let overlap: TimeInterval = 2

    func run() async {
        var since = Date(timeIntervalSince1970: 0)
        var viewsSince = since
        var failing = false
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                let (store, run, statesSince) = (self.store, self.run, since)
                let (states, latest) = try await BackgroundDatabaseCall.run {
                    try await store.lastStates(since: statesSince, otherThan: run)
                }
                await monitor.adopt(states)
                since = latest.addingTimeInterval(-Self.overlap)
                let (views, newest) = try await BackgroundDatabaseCall.run { [viewsSince] in
                    try await store.locationViews(since: viewsSince, otherThan: run)
                }
                if !views.isEmpty { await monitor.note(views: views) }
                viewsSince = newest.addingTimeInterval(-Self.overlap)
                if failing { logger.notice("fleet: reading the other instances' states works again") }
                failing = false
            } catch is CancellationError {
                return
            } catch {
                if !failing { logger.warning("fleet: cannot read the other instances' states (\(error)); trying again") }
                failing = true
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: Self.period) }
        }
    }
}
