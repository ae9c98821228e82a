import Foundation
import PostgresNIO
import URLPollCore

extension PostgresHistoryStore {
    /// The server's clock in milliseconds since 1970: the one time every instance's claims are judged by.
    static let serverNow: PostgresQuery = "(extract(epoch FROM now()) * 1000)::int8"

    /// The ``SharedSchedule`` exchange for `run`: URLs not known yet get their rows (due at once), then
    /// the releases whose token still holds, then the claims, each one statement on one connection.
    /// Claims lock the rows they take with `FOR UPDATE SKIP LOCKED`, so instances claiming at once
    /// never wait for each other and never get the same URL. The conditions are ``LeaseRules``'
    /// (`isClaimable`, `mayRelease`, `askAgain`), written in SQL. A request or release marked
    /// `perLocation` is about the row of ``pollingLocation`` (a URL with a quorum), the others about the
    /// URL's one row (location '').
    package func exchange(claims: [ClaimRequest], releases: [LeaseRelease], run: Int64) async throws -> ClaimAnswer {
        try await described {
            let unknown = Set(claims.map(\.url) + releases.map(\.url)).filter { scheduledIDs[$0] == nil }
            let known = scheduledIDs
            let local = Set(claims.filter(\.perLocation).map(\.url))
            let location = pollingLocation
            let locallyScheduled = locallyScheduledIDs
            let (answer, learnt, localRows) = try await client.withConnection { [logger] connection in
                let learnt = try await Self.ids(of: Array(unknown), creating: true, in: "url", column: "url", connection, logger)
                let ids = known.merging(learnt) { _, new in new }
                let newRows = learnt.filter { !local.contains($0.key) }.map { ($0.value, "") }
                let localRows = local.compactMap { ids[$0] }.filter { !locallyScheduled.contains($0) }
                // Sorted, so that instances adding the same rows at once lock them in the same order
                // (in any other order they wait for each other, or deadlock).
                let rows = (newRows + localRows.map { ($0, location) }).sorted { $0.0 < $1.0 }
                if !rows.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO urlpoll.schedule (url_id, location)
                        SELECT * FROM unnest(\(rows.map(\.0))::int8[], \(rows.map(\.1))::text[]) ON CONFLICT DO NOTHING
                        """,
                        logger: logger
                    ).drain()
                }
                try await Self.release(releases, ids: ids, location: location, connection, logger)
                let answer = try await Self.claim(claims, ids: ids, location: location, run: run, connection, logger)
                return (answer, learnt, localRows)
            }
            scheduledIDs.merge(learnt) { _, new in new }
            urlIDs.merge(learnt) { _, new in new }
            locallyScheduledIDs.formUnion(localRows)
            return answer
        }
    }

    /// The releases, one statement per kind of row (the URLs' one rows, this location's rows).
    private static func release(
        _ releases: [LeaseRelease],
        ids: [String: Int64],
        location: String,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws {
        for (rowLocation, group) in byRow(releases.filter { ids[$0.url] != nil }, location: location, perLocation: \.perLocation) {
            let urlIDs = group.map { ids[$0.url]! }
            let waits = group.map { $0.wait.wholeMilliseconds }
            let failures = group.map { Int64($0.failures) }
            try await connection.query(
                """
                UPDATE urlpoll.schedule s SET due_at = \(unescaped: serverNow.sql) + x.wait_ms, lease_until = NULL, lease_run = NULL, failures = x.failures
                FROM unnest(\(urlIDs)::int8[], \(group.map(\.token))::int8[], \(waits)::int8[], \(failures)::int8[]) AS x(id, token, wait_ms, failures)
                WHERE s.url_id = x.id AND s.location = \(rowLocation) AND s.token = x.token
                """,
                logger: logger
            ).drain()
        }
    }

    /// The claims, one statement per kind of row (the URLs' one rows, this location's rows): a batch
    /// mixing URLs with and without a quorum costs two. Each statement names both key columns by
    /// equality, which keeps its planning (most of a claim's server time) as cheap as with one kind.
    private static func claim(
        _ claims: [ClaimRequest],
        ids: [String: Int64],
        location: String,
        run: Int64,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> ClaimAnswer {
        var answer = ClaimAnswer()
        for (rowLocation, group) in byRow(claims.filter { ids[$0.url] != nil }, location: location, perLocation: \.perLocation) {
            let part = try await claim(group, ids: ids, rowLocation: rowLocation, run: run, connection, logger)
            answer.claimed.merge(part.claimed) { _, new in new }
            answer.deferred.merge(part.deferred) { _, new in new }
        }
        return answer
    }

    /// The claims of one kind of row (`rowLocation`: '' or this instance's location).
    private static func claim(
        _ claims: [ClaimRequest],
        ids: [String: Int64],
        rowLocation: String,
        run: Int64,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> ClaimAnswer {
        let urlIDs = claims.map { ids[$0.url]! }
        let sleeps = claims.map { $0.sleep.wholeMilliseconds }
        let leases = claims.map { $0.lease.wholeMilliseconds }
        let now = serverNow.sql
        let rows = try await connection.query(
            """
            WITH free AS (
                SELECT url_id FROM urlpoll.schedule
                WHERE url_id = ANY(\(urlIDs)::int8[]) AND location = \(rowLocation)
                    AND due_at <= \(unescaped: now) AND (lease_until IS NULL OR lease_until <= \(unescaped: now))
                FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE urlpoll.schedule s SET lease_run = \(run), token = s.token + 1,
                    lease_until = \(unescaped: now) + r.lease_ms, due_at = \(unescaped: now) + r.sleep_ms
                FROM unnest(\(urlIDs)::int8[], \(sleeps)::int8[], \(leases)::int8[]) AS r(id, sleep_ms, lease_ms) JOIN free ON free.url_id = r.id
                WHERE s.url_id = r.id AND s.location = \(rowLocation)
                RETURNING s.url_id, s.token, s.failures)
            SELECT url_id, token, failures::int8, 0::int8 FROM claimed
            UNION ALL
            SELECT s.url_id, 0::int8, 0::int8,
                   (CASE WHEN s.due_at > \(unescaped: now) THEN s.due_at ELSE coalesce(s.lease_until, s.due_at) END) - \(unescaped: now)
            FROM urlpoll.schedule s
            WHERE s.url_id = ANY(\(urlIDs)::int8[]) AND s.location = \(rowLocation) AND NOT EXISTS (SELECT 1 FROM claimed c WHERE c.url_id = s.url_id)
            """,
            logger: logger
        )
        var byID: [Int64: String] = [:]
        for (url, id) in zip(claims.map(\.url), urlIDs) { byID[id] = url }
        var answer = ClaimAnswer()
        for try await (id, token, failures, wait) in rows.decode((Int64, Int64, Int64, Int64).self) {
            guard let url = byID[id] else { continue }
            if token > 0 {
                answer.claimed[url] = .init(token: token, failures: Int(failures))
            } else {
                answer.deferred[url] = .milliseconds(max(0, wait))
            }
        }
        return answer
    }

    /// `items` split by the schedule row they are about: the URLs' one rows (location '') and, for
    /// those marked `perLocation`, `location`'s rows; empty groups left out.
    private static func byRow<Item>(_ items: [Item], location: String, perLocation: (Item) -> Bool) -> [(String, [Item])] {
        let local = items.filter(perLocation)
        let shared = items.filter { !perLocation($0) }
        return [("", shared), (location, local)].filter { !$0.1.isEmpty }
    }
}

/// This run's side of the schedule in a PostgreSQL database (``PostgresHistoryStore/exchange(claims:releases:run:)``).
package struct PostgresSharedSchedule: SharedSchedule {
    let store: PostgresHistoryStore
    let run: Int64

    package init(store: PostgresHistoryStore, run: Int64) {
        self.store = store
        self.run = run
    }

    package func exchange(claims: [ClaimRequest], releases: [LeaseRelease]) async throws -> ClaimAnswer {
        try await store.exchange(claims: claims, releases: releases, run: run)
    }
}
