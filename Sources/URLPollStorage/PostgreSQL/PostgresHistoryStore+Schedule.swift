import Foundation
import PostgresNIO
import URLPollCore

extension PostgresHistoryStore {
    /// The server's clock in milliseconds since 1970: the one time every instance's claims are judged by.
    static let serverNow: PostgresQuery = "(extract(epoch FROM now()) * 1000)::int8"

    /// The ``SharedSchedule`` exchange for `run`: URLs not known yet get their row (due at once), then
    /// the releases whose token still holds, then the claims, each one statement on one connection.
    /// Claims lock the rows they take with `FOR UPDATE SKIP LOCKED`, so instances claiming at once
    /// never wait for each other and never get the same URL.
    public func exchange(claims: [ClaimRequest], releases: [LeaseRelease], run: Int64) async throws -> ClaimAnswer {
        try await described {
            let unknown = Set(claims.map(\.url) + releases.map(\.url)).filter { urlIDs[$0] == nil }
            let known = urlIDs
            let (answer, learnt) = try await client.withConnection { [logger] connection in
                let learnt = try await Self.ids(of: Array(unknown), creating: true, in: "url", column: "url", connection, logger)
                let ids = known.merging(learnt) { _, new in new }
                try await Self.release(releases, ids: ids, connection, logger)
                let answer = try await Self.claim(claims, ids: ids, run: run, connection, logger)
                return (answer, learnt)
            }
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
        let waits = releases.map { Int64($0.wait.wholeMilliseconds) }
        let failures = releases.map { Int64($0.failures) }
        try await connection.query(
            """
            UPDATE urlpoll.url SET due_at = \(unescaped: serverNow.sql) + x.wait_ms, lease_until = NULL, lease_run = NULL, failures = x.failures
            FROM unnest(\(urlIDs)::int8[], \(releases.map(\.token))::int8[], \(waits)::int8[], \(failures)::int8[])
                AS x(id, token, wait_ms, failures)
            WHERE url.id = x.id AND url.lease_token = x.token
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
        let sleeps = claims.map { Int64($0.sleep.wholeMilliseconds) }
        let leases = claims.map { Int64($0.lease.wholeMilliseconds) }
        let now = serverNow.sql
        let rows = try await connection.query(
            """
            WITH req AS (SELECT * FROM unnest(\(urlIDs)::int8[], \(sleeps)::int8[], \(leases)::int8[]) AS r(id, sleep_ms, lease_ms)),
            free AS (
                SELECT u.id FROM urlpoll.url u
                WHERE u.id = ANY(\(urlIDs)::int8[]) AND u.due_at <= \(unescaped: now) AND (u.lease_until IS NULL OR u.lease_until <= \(unescaped: now))
                ORDER BY u.id FOR UPDATE SKIP LOCKED),
            claimed AS (
                UPDATE urlpoll.url u SET lease_run = \(run), lease_token = u.lease_token + 1,
                    lease_until = \(unescaped: now) + req.lease_ms, due_at = \(unescaped: now) + req.sleep_ms
                FROM req WHERE u.id = req.id AND u.id IN (SELECT id FROM free)
                RETURNING u.id, u.lease_token, u.failures)
            SELECT id, lease_token, failures::int8, 0::int8 FROM claimed
            UNION ALL
            SELECT u.id, 0::int8, 0::int8,
                   (CASE WHEN u.due_at > \(unescaped: now) THEN u.due_at ELSE coalesce(u.lease_until, u.due_at) END) - \(unescaped: now)
            FROM urlpoll.url u
            WHERE u.id = ANY(\(urlIDs)::int8[]) AND u.id NOT IN (SELECT id FROM claimed)
            """,
            logger: logger
        )
        var byID: [Int64: String] = [:]
        for (url, id) in ids where urlIDs.contains(id) { byID[id] = url }
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
