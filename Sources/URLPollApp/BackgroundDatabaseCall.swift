import ServiceLifecycle
import URLPollCore

/// A call a background service (the heartbeat, the fleet read) makes to the shared database: given up
/// (``Abandonable``) when it has not answered within ``limit``, and ended at once by a graceful shutdown,
/// so that a database connection that hangs neither stops the service for good nor keeps the run from
/// stopping. A call given up throws ``NoAnswer``; one ended by the shutdown, `CancellationError`.
enum BackgroundDatabaseCall {
    /// How long one call may go unanswered before it is given up and, at the service's next turn, made again.
    static let limit = Duration.seconds(30)

    static func run<T: Sendable>(_ call: @escaping @Sendable () async throws -> T) async throws -> T {
        try await cancelWhenGracefulShutdown { try await Abandonable.run(within: limit, clock: TaskAlarmClock(), call) }
    }
}
