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
    /// (`isClaimable`, `mayRelease`, `askAgain`), written in SQL.
    public func exchange(claims: [ClaimRequest], releases: [LeaseRelease], run: Int64) async throws -> ClaimAnswer {
        try await described {
            let unknown = Set(claims.map(\.url) + releases.map(\.url)).filter { scheduledIDs[$0] == nil }
            let known = scheduledIDs
            let (answer, learnt) = try await client.withConnection { [logger] connection in
                let learnt = try await Self.ids(of: Array(unknown), creating: true, in: "url", column: "url", connection, logger)
                if !learnt.isEmpty {
                    try await connection.query(
                        "INSERT INTO urlpoll.schedule (url_id) SELECT unnest(\(Array(learnt.values).sorted())::int8[]) ON CONFLICT DO NOTHING",
                        logger: logger
                    ).drain()
                }
                let ids = known.merging(learnt) { _, new in new }
                try await Self.release(releases, ids: ids, connection, logger)
                let answer = try await Self.claim(claims, ids: ids, run: run, connection, logger)
                return (answer, learnt)
            }
            scheduledIDs.merge(learnt) { _, new in new }
            urlIDs.merge(learnt) { _, new in new }
            return answer
        }
    }

    private static func release(_ releases: [LeaseRelease], ids: [String: Int64], _ connection: PostgresConnection, _ logger: Logger)
        async throws
    {
        let releases = releases.filter { ids[$0.url] != nil }
        guard !releases.isEmpty else { return }
        let urlIDs = releases.map { ids[$0.url]! }
        let waits = releases.map { $0.wait.wholeMilliseconds }
        let failures = releases.map { Int64($0.failures) }
        try await connection.query(
            """
            UPDATE urlpoll.schedule s SET due_at = \(unescaped: serverNow.sql) + x.wait_ms, lease_until = NULL, lease_run = NULL, failures = x.failures
            FROM unnest(\(urlIDs)::int8[], \(releases.map(\.token))::int8[], \(waits)::int8[], \(failures)::int8[])
                AS x(id, token, wait_ms, failures)
            WHERE s.url_id = x.id AND s.token = x.token
            """,
            logger: logger
        ).drain()
    }

    private static func claim(_ claims: [ClaimRequest], ids: [String: Int64], run: Int64, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> ClaimAnswer
    {
        let claims = claims.filter { ids[$0.url] != nil }
        guard !claims.isEmpty else { return ClaimAnswer() }
        let urlIDs = claims.map { ids[$0.url]! }
        let sleeps = claims.map { $0.sleep.wholeMilliseconds }
        let leases = claims.map { $0.lease.wholeMilliseconds }
        let now = serverNow.sql
        let rows = try await connection.query(
            """
            WITH free AS (
                SELECT url_id FROM urlpoll.schedule
                WHERE url_id = ANY(\(urlIDs)::int8[]) AND due_at <= \(unescaped: now) AND (lease_until IS NULL OR lease_until <= \(unescaped: now))
                FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE urlpoll.schedule s SET lease_run = \(run), token = s.token + 1,
                    lease_until = \(unescaped: now) + r.lease_ms, due_at = \(unescaped: now) + r.sleep_ms
                FROM unnest(\(urlIDs)::int8[], \(sleeps)::int8[], \(leases)::int8[]) AS r(id, sleep_ms, lease_ms) JOIN free ON free.url_id = r.id
                WHERE s.url_id = r.id
                RETURNING s.url_id, s.token, s.failures)
            SELECT url_id, token, failures::int8, 0::int8 FROM claimed
            UNION ALL
            SELECT s.url_id, 0::int8, 0::int8,
                   (CASE WHEN s.due_at > \(unescaped: now) THEN s.due_at ELSE coalesce(s.lease_until, s.due_at) END) - \(unescaped: now)
            FROM urlpoll.schedule s
            WHERE s.url_id = ANY(\(urlIDs)::int8[]) AND NOT EXISTS (SELECT 1 FROM claimed c WHERE c.url_id = s.url_id)
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
