import Foundation
import Logging
import NIOSSL
import PostgresNIO
import URLPollCore

/// The history and alert state in a PostgreSQL database, through postgres-nio's connection pool: what
/// several urlpoll instances share. The tables are ``PostgresSchema``'s.
///
/// Every write is one transaction; a batch of results is a handful of statements whatever its size
/// (``HistoryBatchPlan``). Reads run on other pooled connections alongside writes. The store owns the
/// pool: it runs from ``open(_:logger:connectTimeout:)`` until ``close()``. While the server is away,
/// calls wait for the pool to reconnect (postgres-nio retries with backoff) rather than fail, except
/// the first connection at open, which has a deadline.
///
/// An actor: it keeps the ids of URLs and status texts it has seen, and each URL's last result time.
package actor PostgresHistoryStore: HistoryStore {
    let client: PostgresClient
    let logger: Logger
    package nonisolated let location: PostgresLocation
    private let pool: Task<Void, Never>
    var urlIDs: [String: Int64] = [:]
    var statusIDs: [String: Int64] = [:]
    /// Ids of the URLs that have a row in the shared schedule.
    var scheduledIDs: [String: Int64] = [:]
    /// Ids of the URLs that have a row for ``pollingLocation`` in the shared schedule (URLs with a quorum).
    var locallyScheduledIDs: Set<Int64> = []
    /// The location of the instance this store serves (``identify(run:instance:location:)``): its rows
    /// of the schedule for URLs with a quorum, and its views of them.
    var pollingLocation = ""
    /// The run begun last through this store: the holder of the alert deliveries it stores.
    var currentRun: Int64?
    var lastTimes: [Int64: Int64] = [:]
    /// When the last retention round ended (they run at most every ten minutes).
    var lastPruneRound: Date?

    /// Its writes may be given up and repeated: stored results and incidents are never stored twice.
    package nonisolated var mayHang: Bool { true }

    private init(client: PostgresClient, pool: Task<Void, Never>, location: PostgresLocation, logger: Logger) {
        self.client = client
        self.pool = pool
        self.location = location
        self.logger = logger
    }

    /// A logger that drops everything: postgres-nio logs each failed connection attempt, and urlpoll
    /// says once what matters instead.
    package static let silentLogger = Logger(label: "urlpoll.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects to the database at `location`, creates or upgrades its tables, and keeps the pool
    /// running until ``close()``.
    ///
    /// - Throws: ``StoreError`` naming the database (never its password): no connection within
    ///   `connectTimeout` or refused (with the reason: refused, no such host, authentication, TLS), a root
    ///   certificate file that cannot be read, or tables written by a newer urlpoll.
    ///
    /// With `readOnly` (`urlpoll history`, `urlpoll incidents`) nothing is created or changed: a database
    /// without urlpoll's tables is an error too.
    package static func open(
        _ location: PostgresLocation,
        readOnly: Bool = false,
        logger: Logger = silentLogger,
        connectTimeout: Duration = .seconds(10)
    ) async throws(StoreError) -> PostgresHistoryStore {
        try await migrate(location, readOnly: readOnly, connectTimeout: connectTimeout, logger: logger)
        let client = PostgresClient(configuration: try PostgresConnectionSettings.pool(for: location), backgroundLogger: logger)
        let pool = Task { await client.run() }
        return PostgresHistoryStore(client: client, pool: pool, location: location, logger: logger)
    }

    /// Ends the pool: its connections close; calls after this fail.
    package func close() async {
        pool.cancel()
        await pool.value
    }

    /// Brings the tables up to date over one connection of its own (so that a database that cannot be
    /// reached fails here, with its reason, instead of waiting in the pool).
    private static func migrate(_ location: PostgresLocation, readOnly: Bool, connectTimeout: Duration, logger: Logger) async throws(StoreError) {
        let configuration = try PostgresConnectionSettings.connection(for: location, connectTimeout: connectTimeout)
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 0, logger: logger)
        } catch {
            throw StoreError("\(location): cannot connect to the database (\(describe(error)))")
        }
        let known = Set(PostgresSchema.migrations.map(\.id))
        let outcome: Result<Void, StoreError>
        do {
            outcome = try await connection.withTransaction(logger: logger) { connection in
                if readOnly {
                    var exists = false
                    let rows = try await connection.query("SELECT to_regclass('urlpoll.migration') IS NOT NULL", logger: logger)
                    for try await found in rows.decode(Bool.self) { exists = found }
                    guard exists else {
                        return .failure(
                            StoreError("\(location): no urlpoll history in this database (urlpoll writes it while it runs; see --database)")
                        )
                    }
                }
                try await connection.query("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLock))", logger: logger).drain()
                try await connection.query("CREATE SCHEMA IF NOT EXISTS urlpoll", logger: logger).drain()
                try await connection.query(
                    "CREATE TABLE IF NOT EXISTS urlpoll.migration (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())",
                    logger: logger
                ).drain()
                var applied: Set<String> = []
                for try await id in try await connection.query("SELECT id FROM urlpoll.migration", logger: logger).decode(String.self) {
                    applied.insert(id)
                }
                guard applied.isSubset(of: known) else {
                    return .failure(
                        StoreError(
                            "\(location): the database was written by a newer urlpoll (its schema is newer than this version knows); "
                                + "upgrade urlpoll, or point --database elsewhere"
                        )
                    )
                }
                for migration in PostgresSchema.migrations where !applied.contains(migration.id) && !readOnly {
                    for statement in migration.statements {
                        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger).drain()
                    }
                    try await connection.query("INSERT INTO urlpoll.migration (id) VALUES (\(migration.id))", logger: logger).drain()
                }
                return .success(())
            }
        } catch {
            try? await connection.close()
            throw StoreError("\(location): cannot set up the database (\(describe(error)))")
        }
        try? await connection.close()
        try outcome.get()
    }

    /// Runs `body`, turning postgres-nio's errors (whose own description hides everything) into a
    /// ``StoreError`` that names the database and the server's reason, for the writer's and the alert
    /// engine's log lines.
    func described<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw StoreError("\(location): \(Self.describe(error))")
        }
    }

    /// A short description of a postgres-nio error: the server's message, or the connection's problem.
    /// postgres-nio's own description hides everything (it may carry data); this keeps what an
    /// operator needs and never a password (the server never echoes one).
    static func describe(_ error: any Error) -> String {
        if let error = error as? PostgresTransactionError {
            if let closure = error.closureError { return describe(closure) }
            if let begin = error.beginError { return describe(begin) }
            if let commit = error.commitError { return describe(commit) }
        }
        guard let error = error as? PSQLError else { return "\(error)" }
        if let message = error.serverInfo?[.message] {
            let state = error.serverInfo?[.sqlState].map { " (SQLSTATE \($0))" } ?? ""
            return message + state
        }
        if let underlying = error.underlying { return "\(error.code): \(underlying)" }
        return "\(error.code)"
    }

    // MARK: Runs

    package func beginRun(at time: Date) async throws -> Int64 {
        try await described {
            let now = ResultEncoding.milliseconds(time)
            let rows = try await client.query("INSERT INTO urlpoll.run (started_at, alive_at) VALUES (\(now), \(now)) RETURNING id", logger: logger)
            for try await id in rows.decode(Int64.self) {
                currentRun = id
                return id
            }
            throw StoreError("\(location): the database returned no run id")
        }
    }

    package func endRun(_ run: Int64, at time: Date) async throws {
        try await described {
            let now = ResultEncoding.milliseconds(time)
            try await client.withTransaction(logger: logger) { [logger] connection in
                try await connection.query(
                    "UPDATE urlpoll.run SET alive_at = greatest(alive_at, \(now)), stopped_at = \(now) WHERE id = \(run)",
                    logger: logger
                ).drain()
                try await connection.query(
                    "UPDATE urlpoll.coverage SET to_t = \(now) WHERE run_id = \(run) AND to_t IS NULL",
                    logger: logger
                ).drain()
            }
        }
    }
}

extension PostgresRowSequence {
    /// Reads every row: a failure that arrives with the rows (a server that went away mid-query)
    /// surfaces here instead of being dropped with an unread result.
    func drain() async throws {
        for try await _ in self {}
    }
}
