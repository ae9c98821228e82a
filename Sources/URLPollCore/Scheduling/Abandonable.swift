/// Waiting for an operation that may never answer, without waiting with it.
///
/// A database client can wait a long time for a connection while its server is away, and postgres-nio
/// has been seen to wait forever for the answer to a query on a connection the server closed mid-query.
/// Whoever calls such an operation with a time limit must be able to walk away.
public enum Abandonable {
    /// Runs `operation` in a task of its own and returns its result, or throws ``NoAnswer`` once `limit`
    /// has passed on `clock`. With no limit (a callee that answers or fails, like a local file's store),
    /// the operation runs in the caller's task and is waited for. The operation is then cancelled and **not waited for**: it may go on until it
    /// notices the cancellation (or forever, if it never does), so it must be harmless to abandon (its
    /// effects, should it still finish, idempotent). Cancelling the caller cancels the operation too and
    /// throws `CancellationError`.
    public static func run<T: Sendable>(
        within limit: Duration?,
        clock: any AlarmClock,
        _ operation: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        guard let limit else { return try await operation() }
        let (first, outcome) = AsyncStream<Result<T, any Error>>.makeStream(bufferingPolicy: .bufferingOldest(1))
        let work = Task {
            do { outcome.yield(.success(try await operation())) } catch { outcome.yield(.failure(error)) }
        }
        let timer = Task {
            try await clock.sleep(until: clock.now + limit)
            outcome.yield(.failure(NoAnswer(limit: limit)))
        }
        defer {
            work.cancel()
            timer.cancel()
            outcome.finish()
        }
        for await result in first { return try result.get() }
        throw CancellationError()
    }
}

/// An operation gave no answer within its time limit (``Abandonable/run(within:clock:_:)``).
public struct NoAnswer: Error, CustomStringConvertible, Equatable {
    public let limit: Duration
    public var description: String { "no answer within \(DurationFormat.format(limit))" }
}
