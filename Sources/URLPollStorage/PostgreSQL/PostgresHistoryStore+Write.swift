import Foundation
import PostgresNIO
import URLPollCore

extension PostgresHistoryStore {
    /// Writes a batch in one transaction: ids of new URLs and status texts (created if missing, so that
    /// instances adding the same URL at once agree on its id), then the ``HistoryBatchPlan``'s row sets,
    /// one statement each, and the run's alive time.
    package func write(_ events: [HistoryEvent], run: Int64, aliveAt: Date) async throws {
        try await described {
            guard !events.isEmpty else { return }
            var newURLs: Set<String> = []
            var removedURLs: Set<String> = []
            var newStatuses: Set<String> = []
            for event in events {
                switch event {
                case .polled(let record):
                    if urlIDs[record.url.configured] == nil { newURLs.insert(record.url.configured) }
                    if statusIDs[record.status] == nil { newStatuses.insert(record.status) }
                case .removed(let removedURL, _):
                    let url = removedURL.configured
                    if urlIDs[url] == nil { removedURLs.insert(url) }
                }
            }
            let alive = ResultEncoding.milliseconds(aliveAt)
            let (knownURLs, knownStatuses, knownTimes) = (urlIDs, statusIDs, lastTimes)
            let learnt = try await client.withTransaction(logger: logger) { [logger] connection in
                var urls = try await Self.ids(of: Array(newURLs), creating: true, in: "url", column: "url", connection, logger)
                urls.merge(try await Self.ids(of: Array(removedURLs), creating: false, in: "url", column: "url", connection, logger)) { a, _ in a }
                let statuses = try await Self.ids(of: Array(newStatuses), creating: true, in: "status", column: "text", connection, logger)
                let ids = knownURLs.merging(urls) { _, new in new }
                let plan = HistoryBatchPlan(
                    events: events,
                    urlIDs: ids,
                    statusIDs: knownStatuses.merging(statuses) { _, new in new },
                    lastTimes: knownTimes
                )
                try await Self.apply(plan, run: run, connection, logger)
                try await Self.recordViews(events, urlIDs: ids, run: run, connection, logger)
                try await connection.query("UPDATE urlpoll.run SET alive_at = greatest(alive_at, \(alive)) WHERE id = \(run)", logger: logger).drain()
                return (urls, statuses, plan.lastTimes)
            }
            urlIDs.merge(learnt.0) { _, new in new }
            statusIDs.merge(learnt.1) { _, new in new }
            lastTimes.merge(learnt.2) { _, new in new }
            // A removed URL is forgotten here (the database keeps it), as in the SQLite store.
            for case .removed(let removedURL, _) in events {
                let url = removedURL.configured
                if let id = urlIDs.removeValue(forKey: url) { lastTimes[id] = nil }
            }
        }
    }

    /// Each location's latest view of the URLs with a quorum that `events` polled (the newest per URL
    /// and location; an older view never replaces a newer one another instance wrote).
    static func recordViews(_ events: [HistoryEvent], urlIDs: [String: Int64], run: Int64, _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        var latest: [Int64: QuorumVerdict.View] = [:]
        for case .polled(let record) in events {
            guard let view = record.localView, let id = urlIDs[record.url.configured] else { continue }
            if let kept = latest[id], kept.checkedAt > view.checkedAt { continue }
            latest[id] = view
        }
        guard !latest.isEmpty else { return }
        let views = latest.sorted { $0.key < $1.key }
        try await connection.query(
            """
            INSERT INTO urlpoll.location_view (url_id, location, health, checked_at, status, run_id)
            SELECT x.id, x.location, x.health::int2, x.checked_at, x.status, \(run)
            FROM unnest(\(views.map(\.key))::int8[], \(views.map(\.value.location))::text[], \(views.map { ResultEncoding.value($0.value.health) })::int8[],
                        \(views.map { ResultEncoding.milliseconds($0.value.checkedAt) })::int8[], \(views.map(\.value.status))::text[])
                AS x(id, location, health, checked_at, status)
            ON CONFLICT (url_id, location) DO UPDATE
                SET health = excluded.health, checked_at = excluded.checked_at, status = excluded.status, run_id = excluded.run_id
                WHERE location_view.checked_at <= excluded.checked_at
            """,
            logger: logger
        ).drain()
    }

    /// The ids of `values` in `table` (`url` or `status`), inserting the missing ones when `creating`.
    static func ids(
        of values: [String],
        creating: Bool,
        in table: String,
        column: String,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> [String: Int64] {
        guard !values.isEmpty else { return [:] }
        if creating {
            // Sorted, so that two instances inserting the same new values lock them in the same order.
            let sorted = values.sorted()
            try await connection.query(
                "INSERT INTO urlpoll.\(unescaped: table) (\(unescaped: column)) SELECT unnest(\(sorted)::text[]) ON CONFLICT DO NOTHING",
                logger: logger
            ).drain()
        }
        var ids: [String: Int64] = [:]
        let rows = try await connection.query(
            "SELECT id, \(unescaped: column) FROM urlpoll.\(unescaped: table) WHERE \(unescaped: column) = ANY(\(values)::text[])",
            logger: logger
        )
        for try await (id, value) in rows.decode((Int64, String).self) { ids[value] = id }
        return ids
    }

    /// Sends each of `plan`'s row sets as one statement: closes of stored spans before the inserts.
    static func apply(_ plan: HistoryBatchPlan, run: Int64, _ connection: PostgresConnection, _ logger: Logger) async throws {
        if !plan.results.isEmpty {
            let results = plan.results
            try await connection.query(
                """
                INSERT INTO urlpoll.result (url_id, t, outcome, latency_us, status_id)
                SELECT * FROM unnest(\(results.map(\.urlID))::int8[], \(results.map(\.time))::int8[], \(results.map(\.outcome))::int8[],
                                     \(results.map(\.latency))::int8[], \(results.map(\.statusID))::int8[])
                ON CONFLICT DO NOTHING
                """,
                logger: logger
            ).drain()
        }
        if !plan.coverageCloses.isEmpty {
            let closes = plan.coverageCloses
            try await connection.query(
                """
                UPDATE urlpoll.coverage SET to_t = x.t
                FROM unnest(\(closes.map(\.urlID))::int8[], \(closes.map(\.time))::int8[]) AS x(url_id, t)
                WHERE coverage.run_id = \(run) AND coverage.url_id = x.url_id AND coverage.to_t IS NULL
                """,
                logger: logger
            ).drain()
        }
        if !plan.coverageOpens.isEmpty {
            let opens = plan.coverageOpens
            try await connection.query(
                """
                INSERT INTO urlpoll.coverage (url_id, run_id, from_t, to_t)
                SELECT x.url_id, \(run), x.from_t, nullif(x.to_t, -1)
                FROM unnest(\(opens.map(\.urlID))::int8[], \(opens.map(\.start))::int8[], \(opens.map { $0.end ?? -1 })::int8[])
                    AS x(url_id, from_t, to_t)
                """,
                logger: logger
            ).drain()
        }
        if !plan.incidentCloses.isEmpty {
            let closes = plan.incidentCloses
            try await connection.query(
                """
                UPDATE urlpoll.incident SET up_at = x.t
                FROM unnest(\(closes.map(\.urlID))::int8[], \(closes.map(\.time))::int8[]) AS x(url_id, t)
                WHERE incident.url_id = x.url_id AND incident.up_at IS NULL
                """,
                logger: logger
            ).drain()
        }
        if !plan.incidentOpens.isEmpty {
            // An outage another instance already opened is not opened twice: instances sharing the
            // database (a URL moving between them, or polled from several locations) may each see its
            // start before reading the other's state. `NOT EXISTS` skips an incident already committed;
            // the unique index on open incidents (migration v6) makes an insert that races another
            // instance's wait for it and then do nothing.
            let opens = plan.incidentOpens
            try await connection.query(
                """
                INSERT INTO urlpoll.incident (url_id, down_at, up_at, status_id)
                SELECT x.url_id, x.down_at, nullif(x.up_at, -1), x.status_id
                FROM unnest(\(opens.map(\.urlID))::int8[], \(opens.map(\.downAt))::int8[], \(opens.map { $0.upAt ?? -1 })::int8[],
                            \(opens.map(\.statusID))::int8[]) AS x(url_id, down_at, up_at, status_id)
                WHERE NOT EXISTS (SELECT 1 FROM urlpoll.incident i WHERE i.url_id = x.url_id AND i.up_at IS NULL)
                ON CONFLICT (url_id) WHERE up_at IS NULL DO NOTHING
                """,
                logger: logger
            ).drain()
        }
        if !plan.lastStates.isEmpty {
            let states = plan.lastStates
            try await connection.query(
                """
                UPDATE urlpoll.url SET health = x.health, since = x.since, failures = x.failures, checked_at = x.checked_at, checked_by = \(run),
                    outcome = x.outcome, latency_us = x.latency_us, status_id = x.status_id, results = url.results + x.added
                FROM unnest(\(states.map(\.urlID))::int8[], \(states.map(\.health))::int8[], \(states.map(\.since))::int8[],
                            \(states.map(\.failures))::int8[], \(states.map(\.checkedAt))::int8[], \(states.map(\.outcome))::int8[],
                            \(states.map(\.latency))::int8[], \(states.map(\.statusID))::int8[], \(states.map(\.added))::int8[])
                    AS x(id, health, since, failures, checked_at, outcome, latency_us, status_id, added)
                WHERE url.id = x.id AND (url.checked_at IS NULL OR url.checked_at <= x.checked_at)
                """,
                logger: logger
            ).drain()
        }
    }
}
