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
    public func exchange(claims: [ClaimRequest], releases: [LeaseRelease], run: Int64) async throws -> ClaimAnswer {
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

    private static func release(
        _ releases: [LeaseRelease],
        ids: [String: Int64],
        location: String,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws {
        let releases = releases.filter { ids[$0.url] != nil }
        guard !releases.isEmpty else { return }
        let urlIDs = releases.map { ids[$0.url]! }
        let locations = releases.map { $0.perLocation ? location : "" }
        let waits = releases.map { $0.wait.wholeMilliseconds }
        let failures = releases.map { Int64($0.failures) }
        try await connection.query(
            """
            UPDATE urlpoll.schedule s SET due_at = \(unescaped: serverNow.sql) + x.wait_ms, lease_until = NULL, lease_run = NULL, failures = x.failures
            FROM unnest(\(urlIDs)::int8[], \(locations)::text[], \(releases.map(\.token))::int8[], \(waits)::int8[], \(failures)::int8[])
                AS x(id, location, token, wait_ms, failures)
            WHERE s.url_id = x.id AND s.location = x.location AND s.token = x.token
            """,
            logger: logger
        ).drain()
    }

    private static func claim(
        _ claims: [ClaimRequest],
        ids: [String: Int64],
        location: String,
        run: Int64,
        _ connection: PostgresConnection,
        _ logger: Logger
    ) async throws -> ClaimAnswer {
        let claims = claims.filter { ids[$0.url] != nil }
        guard !claims.isEmpty else { return ClaimAnswer() }
        let urlIDs = claims.map { ids[$0.url]! }
        let sleeps = claims.map { $0.sleep.wholeMilliseconds }
        let leases = claims.map { $0.lease.wholeMilliseconds }
        // One instance asks for each URL once, for its one row (location '') or its location's row: the
        // rows are found by the primary key's two columns, and answer by URL id. Each claimed row finds
        // its sleep and lease by its position in the request (a join with the unnested request would be
        // planned as a nested loop over both).
        let shared = claims.filter { !$0.perLocation }.map { ids[$0.url]! }
        let local = claims.filter(\.perLocation).map { ids[$0.url]! }
        let now = serverNow.sql
        let rows = try await connection.query(
            """
            WITH free AS (
                SELECT s.url_id, s.location FROM urlpoll.schedule s
                WHERE ((s.location = '' AND s.url_id = ANY(\(shared)::int8[])) OR (s.location = \(location) AND s.url_id = ANY(\(local)::int8[])))
                    AND s.due_at <= \(unescaped: now) AND (s.lease_until IS NULL OR s.lease_until <= \(unescaped: now))
                FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE urlpoll.schedule s SET lease_run = \(run), token = s.token + 1,
                    lease_until = \(unescaped: now) + (\(leases)::int8[])[array_position(\(urlIDs)::int8[], s.url_id)],
                    due_at = \(unescaped: now) + (\(sleeps)::int8[])[array_position(\(urlIDs)::int8[], s.url_id)]
                FROM free WHERE s.url_id = free.url_id AND s.location = free.location
                RETURNING s.url_id, s.token, s.failures)
            SELECT url_id, token, failures::int8, 0::int8 FROM claimed
            UNION ALL
            SELECT s.url_id, 0::int8, 0::int8,
                   (CASE WHEN s.due_at > \(unescaped: now) THEN s.due_at ELSE coalesce(s.lease_until, s.due_at) END) - \(unescaped: now)
            FROM urlpoll.schedule s
            WHERE ((s.location = '' AND s.url_id = ANY(\(shared)::int8[])) OR (s.location = \(location) AND s.url_id = ANY(\(local)::int8[])))
                AND s.url_id <> ALL(ARRAY(SELECT url_id FROM claimed))
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
}

/// This run's side of the schedule in a PostgreSQL database (``PostgresHistoryStore/exchange(claims:releases:run:)``).
public struct PostgresSharedSchedule: SharedSchedule {
    let store: PostgresHistoryStore
    let run: Int64

    public init(store: PostgresHistoryStore, run: Int64) {
        self.store = store
        self.run = run
    }

    public func exchange(claims: [ClaimRequest], releases: [LeaseRelease]) async throws -> ClaimAnswer {
        try await store.exchange(claims: claims, releases: releases, run: run)
    }
}
