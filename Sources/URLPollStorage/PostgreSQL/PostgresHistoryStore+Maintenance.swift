import Foundation
import PostgresNIO
import URLPollCore

extension PostgresHistoryStore {
    /// URLs handled per maintenance step: each step is one short transaction.
    static let urlsPerStep: Int64 = 500
    /// A retention round (over every URL) starts at most this often, across all instances.
    static let pruneRoundInterval: Int64 = 600_000
    /// The key of the advisory lock a maintenance step holds: one instance maintains at a time.
    static let maintenanceLock: Int64 = 0x7572_6c70_6f6c_6c02

    /// One step of rollup and retention, as in the SQLite store: roll up the next finished hour (for the
    /// next URLs), then remove what retention no longer keeps. Where its progress is kept (the `meta`
    /// table) is shared: instances take turns, one step at a time, under an advisory lock; an instance
    /// that finds the lock held does nothing and reports no more work.
    package func maintain(now: Date, policy: RetentionPolicy) async throws -> Bool {
        try await described {
            let cutoffs = MaintenanceCutoffs(now: now, policy: policy)
            let (nowMS, resultCutoff, aggregateCutoff) = (cutoffs.now, cutoffs.results, cutoffs.aggregates)
            let (coverageCutoff, currentHour, perURL) = (cutoffs.coverage, cutoffs.currentHour, cutoffs.resultsPerURL)
            return try await client.withTransaction(logger: logger) { [logger] connection in
                let step = Step(connection: connection, logger: logger)
                guard try await step.value("SELECT pg_try_advisory_xact_lock(\(Self.maintenanceLock))", as: Bool.self) == true else {
                    return false
                }
                if try await step.rollUp(before: currentHour) { return true }
                let inRound = (try await step.meta("prune_next_url") ?? 0) > 0
                let lastRound = try await step.meta("prune_round_ended_at")
                let mayStartRound = lastRound.map { nowMS - $0 >= Self.pruneRoundInterval || nowMS < $0 } ?? true
                guard inRound || mayStartRound else { return false }
                let rolledUpTo = try await step.meta("rolled_up_to") ?? 0
                let more = try await step.prune(
                    resultCutoff: min(resultCutoff, rolledUpTo),
                    capBefore: rolledUpTo,
                    perURL: perURL,
                    aggregateCutoff: aggregateCutoff,
                    coverageCutoff: coverageCutoff
                )
                if !more { try await step.setMeta("prune_round_ended_at", nowMS) }
                return more
            }
        }
    }

    /// One maintenance transaction's statements.
    struct Step {
        let connection: PostgresConnection
        let logger: Logger

        func value<Value: PostgresDecodable & Sendable>(_ query: PostgresQuery, as type: Value.Type) async throws -> Value? {
            var value: Value?
            for try await row in try await connection.query(query, logger: logger).decode(Value.self) { value = row }
            return value
        }

        func meta(_ key: String) async throws -> Int64? {
            try await value("SELECT value FROM urlpoll.meta WHERE key = \(key)", as: Int64.self)
        }

        func setMeta(_ key: String, _ value: Int64) async throws {
            try await connection.query(
                "INSERT INTO urlpoll.meta (key, value) VALUES (\(key), \(value)) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                logger: logger
            ).drain()
        }

        func urlIDs(from first: Int64) async throws -> [Int64] {
            var ids: [Int64] = []
            let rows = try await connection.query(
                "SELECT id FROM urlpoll.url WHERE id >= \(first) ORDER BY id LIMIT \(PostgresHistoryStore.urlsPerStep)",
                logger: logger
            )
            for try await id in rows.decode(Int64.self) { ids.append(id) }
            return ids
        }

        /// Rolls up the next URLs of the oldest hour not yet done (``HourlyAggregate`` does the
        /// arithmetic, as for SQLite); `false` when every finished hour is done.
        func rollUp(before currentHour: Int64) async throws -> Bool {
            let hour: Int64
            if let done = try await meta("rolled_up_to") {
                hour = done
            } else {
                guard let oldest = try await value("SELECT min(t) FROM urlpoll.result", as: Int64?.self) ?? nil else { return false }
                hour = oldest / 3_600_000 * 3_600_000
                try await setMeta("rolled_up_to", hour)
            }
            guard hour < currentHour else { return false }
            let ids = try await urlIDs(from: try await meta("rollup_next_url") ?? 0)
            var results: [Int64: [(health: Health, latency: Duration)]] = [:]
            let rows = try await connection.query(
                """
                SELECT url_id, outcome, latency_us FROM urlpoll.result
                WHERE url_id = ANY(\(ids)::int8[]) AND t >= \(hour) AND t < \(hour + 3_600_000)
                """,
                logger: logger
            )
            for try await (urlID, outcome, latency) in rows.decode((Int64, Int64, Int64).self) {
                results[urlID, default: []].append((ResultEncoding.decode(outcome).health, .microseconds(latency)))
            }
            var aggregates: [(Int64, HourlyAggregate)] = []
            for (urlID, hourResults) in results {
                if let aggregate = HourlyAggregate(hour: ResultEncoding.date(hour), results: hourResults) {
                    aggregates.append((urlID, aggregate))
                }
            }
            if !aggregates.isEmpty {
                try await connection.query(
                    """
                    INSERT INTO urlpoll.hourly (url_id, hour, polls, failures, latency_sum_us, latency_min_us, latency_max_us, latency_p95_us)
                    SELECT x.url_id, \(hour), x.polls, x.failures, x.total, x.low, x.high, x.p95
                    FROM unnest(\(aggregates.map(\.0))::int8[], \(aggregates.map { Int64($0.1.polls) })::int8[],
                                \(aggregates.map { Int64($0.1.failures) })::int8[], \(aggregates.map { $0.1.latencySum.wholeMicroseconds })::int8[],
                                \(aggregates.map { $0.1.latencyMin.wholeMicroseconds })::int8[],
                                \(aggregates.map { $0.1.latencyMax.wholeMicroseconds })::int8[],
                                \(aggregates.map { $0.1.latencyP95.wholeMicroseconds })::int8[])
                        AS x(url_id, polls, failures, total, low, high, p95)
                    ON CONFLICT (url_id, hour) DO UPDATE SET polls = excluded.polls, failures = excluded.failures,
                        latency_sum_us = excluded.latency_sum_us, latency_min_us = excluded.latency_min_us,
                        latency_max_us = excluded.latency_max_us, latency_p95_us = excluded.latency_p95_us
                    """,
                    logger: logger
                ).drain()
            }
            if let last = ids.last, ids.count == Int(PostgresHistoryStore.urlsPerStep) {
                try await setMeta("rollup_next_url", last + 1)
            } else {
                try await setMeta("rollup_next_url", 0)
                try await setMeta("rolled_up_to", hour + 3_600_000)
            }
            return true
        }

        /// Removes, for the next URLs, results older than `resultCutoff`, the oldest beyond the per-URL
        /// cap (among those before `capBefore`) and aggregates older than `aggregateCutoff`; at the end of
        /// a round, old outages, coverage and runs. `false` when a whole round is done.
        func prune(resultCutoff: Int64, capBefore: Int64, perURL: Int64, aggregateCutoff: Int64, coverageCutoff: Int64) async throws -> Bool {
            let ids = try await urlIDs(from: try await meta("prune_next_url") ?? 0)
            try await connection.query(
                """
                WITH removed AS (
                    DELETE FROM urlpoll.result WHERE url_id = ANY(\(ids)::int8[]) AND t < \(resultCutoff) RETURNING url_id)
                UPDATE urlpoll.url SET results = greatest(0, url.results - r.n)
                FROM (SELECT url_id, count(*) AS n FROM removed GROUP BY url_id) AS r WHERE url.id = r.url_id
                """,
                logger: logger
            ).drain()
            try await connection.query(
                """
                WITH ranked AS (
                    SELECT url_id, t, row_number() OVER (PARTITION BY url_id ORDER BY t DESC) AS rank
                    FROM urlpoll.result WHERE url_id = ANY(\(ids)::int8[])),
                removed AS (
                    DELETE FROM urlpoll.result USING ranked
                    WHERE result.url_id = ranked.url_id AND result.t = ranked.t AND ranked.rank > \(perURL) AND ranked.t < \(capBefore)
                    RETURNING result.url_id)
                UPDATE urlpoll.url SET results = greatest(0, url.results - r.n)
                FROM (SELECT url_id, count(*) AS n FROM removed GROUP BY url_id) AS r WHERE url.id = r.url_id
                """,
                logger: logger
            ).drain()
            try await connection.query(
                "DELETE FROM urlpoll.hourly WHERE url_id = ANY(\(ids)::int8[]) AND hour < \(aggregateCutoff)",
                logger: logger
            ).drain()
            if let last = ids.last, ids.count == Int(PostgresHistoryStore.urlsPerStep) {
                try await setMeta("prune_next_url", last + 1)
                return true
            }
            try await setMeta("prune_next_url", 0)
            try await connection.query(
                "DELETE FROM urlpoll.incident WHERE down_at < \(aggregateCutoff) AND up_at IS NOT NULL AND up_at < \(aggregateCutoff)",
                logger: logger
            ).drain()
            try await connection.query(
                "DELETE FROM urlpoll.coverage WHERE to_t IS NOT NULL AND to_t < \(coverageCutoff)",
                logger: logger
            ).drain()
            try await connection.query(
                """
                DELETE FROM urlpoll.run WHERE alive_at < \(coverageCutoff)
                    AND NOT EXISTS (SELECT 1 FROM urlpoll.coverage WHERE coverage.run_id = run.id)
                """,
                logger: logger
            ).drain()
            return false
        }
    }
}
