import Foundation
import PostgresNIO
import URLPollCore

/// The alert state beside the history, in the same database, shared by every instance on it: the
/// announcement rows decide which instance announces an event (see ``AlertStore``), and each delivery
/// in the outbox is held by the run that stored it until it is done; a dead run's deliveries are taken
/// over by the next instance that asks (``takeOrphanedDeliveries()``).
extension PostgresHistoryStore: AlertStore {
    package nonisolated var isShared: Bool { true }

    package func loadAlerts() async throws -> AlertLedger {
        AlertLedger(announcements: try await announcements(), pending: try await takeOrphanedDeliveries())
    }

    package func announcements() async throws -> [AlertTracker.Announcement] {
        try await described {
            var announcements: [AlertTracker.Announcement] = []
            let rows = try await client.query("SELECT url, receiver, since, last_sent FROM urlpoll.alert_announcement", logger: logger)
            for try await (url, receiver, since, lastSent) in rows.decode((String, String, Int64, Int64).self) {
                announcements.append(
                    AlertTracker.Announcement(
                        url: url,
                        receiver: receiver,
                        since: ResultEncoding.date(since),
                        lastSent: ResultEncoding.date(lastSent)
                    )
                )
            }
            return announcements
        }
    }

    /// The deliveries of runs that are not live (stopped, or silent for ``InstanceInfo/liveFor``), or of
    /// none, oldest first; this run holds them from now on.
    package func takeOrphanedDeliveries() async throws -> [PendingDelivery] {
        try await described {
            let live = ResultEncoding.milliseconds(Date()) - Self.liveForMilliseconds
            let rows = try await client.query(
                """
                UPDATE urlpoll.alert_outbox o SET run_id = \(currentRun)
                WHERE o.run_id IS NULL OR o.run_id IS DISTINCT FROM \(currentRun) AND NOT EXISTS (
                    SELECT 1 FROM urlpoll.run r WHERE r.id = o.run_id AND r.stopped_at IS NULL AND r.alive_at >= \(live))
                RETURNING o.id, o.event
                """,
                logger: logger
            )
            let decoder = JSONDecoder()
            var pending: [PendingDelivery] = []
            for try await (id, json) in rows.decode((Int64, String).self) {
                // An entry this version cannot read (written by a newer one) is skipped, not fatal.
                guard let event = try? decoder.decode(AlertEvent.self, from: Data(json.utf8)) else { continue }
                pending.append(PendingDelivery(id: id, event: event))
            }
            return pending.sorted { $0.id < $1.id }
        }
    }

    package func save(_ changes: AlertTracker.Changes, queued: [PendingDelivery]) async throws -> [PendingDelivery] {
        try await described {
            let run = currentRun
            return try await client.withTransaction(logger: logger) { [logger] connection in
                var accepted: [PendingDelivery] = []
                for delivery in queued {
                    if try await Self.decide(delivery.event, connection, logger) { accepted.append(delivery) }
                }
                try await Self.apply(changes, connection, logger)
                return try await Self.enqueue(accepted, run: run, connection, logger)
            }
        }
    }

    /// Whether this instance announces `event`: it made the announcement change the event stands for.
    /// A `down` inserts the outage's announcement (another instance's stands), a `recovered` deletes it,
    /// a `reminder` moves its last time on unless another instance did within the last second.
    private static func decide(_ event: AlertEvent, _ connection: PostgresConnection, _ logger: Logger) async throws -> Bool {
        let (url, receiver, at) = (event.url, event.receiver, ResultEncoding.milliseconds(event.decidedAt))
        let query: PostgresQuery
        switch event.kind {
        case .down:
            let since = ResultEncoding.milliseconds(event.since)
            query = """
                INSERT INTO urlpoll.alert_announcement (url, receiver, since, last_sent) VALUES (\(url), \(receiver), \(since), \(at))
                ON CONFLICT DO NOTHING RETURNING 1
                """
        case .recovered:
            query = "DELETE FROM urlpoll.alert_announcement WHERE url = \(url) AND receiver = \(receiver) RETURNING 1"
        case .reminder:
            query = """
                UPDATE urlpoll.alert_announcement SET last_sent = \(at)
                WHERE url = \(url) AND receiver = \(receiver) AND last_sent < \(at - 1000) RETURNING 1
                """
        case .test:
            return true
        }
        let rows = try await connection.query(query, logger: logger)
        for try await _ in rows { return true }
        return false
    }

    /// The tracker's announcement changes that no event carried (its own view of the other instances'
    /// announcements is kept, never overwritten).
    private static func apply(_ changes: AlertTracker.Changes, _ connection: PostgresConnection, _ logger: Logger) async throws {
        let announced = changes.announced
        if !announced.isEmpty {
            try await connection.query(
                """
                INSERT INTO urlpoll.alert_announcement (url, receiver, since, last_sent)
                SELECT * FROM unnest(\(announced.map(\.url))::text[], \(announced.map(\.receiver))::text[],
                                     \(announced.map { ResultEncoding.milliseconds($0.since) })::int8[],
                                     \(announced.map { ResultEncoding.milliseconds($0.lastSent) })::int8[])
                ON CONFLICT (url, receiver) DO NOTHING
                """,
                logger: logger
            ).drain()
        }
        let ended = changes.ended
        if !ended.isEmpty {
            try await connection.query(
                """
                DELETE FROM urlpoll.alert_announcement a
                USING unnest(\(ended.map(\.url))::text[], \(ended.map(\.receiver))::text[]) AS x(url, receiver)
                WHERE a.url = x.url AND a.receiver = x.receiver
                """,
                logger: logger
            ).drain()
        }
    }

    /// Stores `deliveries` in the outbox under ids from the shared sequence, held by `run`.
    private static func enqueue(_ deliveries: [PendingDelivery], run: Int64?, _ connection: PostgresConnection, _ logger: Logger)
        async throws -> [PendingDelivery]
    {
        guard !deliveries.isEmpty else { return [] }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let receivers = deliveries.map(\.event.receiver)
        let events = try deliveries.map { String(decoding: try encoder.encode($0.event), as: UTF8.self) }
        let rows = try await connection.query(
            """
            INSERT INTO urlpoll.alert_outbox (id, receiver, event, run_id)
            SELECT nextval('urlpoll.alert_outbox_id'), x.receiver, x.event, \(run)
            FROM unnest(\(receivers)::text[], \(events)::text[]) WITH ORDINALITY AS x(receiver, event, n) ORDER BY x.n
            RETURNING id
            """,
            logger: logger
        )
        var ids: [Int64] = []
        for try await id in rows.decode(Int64.self) { ids.append(id) }
        guard ids.count == deliveries.count else { throw StoreError("the outbox stored \(ids.count) of \(deliveries.count) alerts") }
        // One statement assigns the sequence in the order of the rows, so the ids sort like the deliveries.
        return zip(ids.sorted(), deliveries).map { PendingDelivery(id: $0, event: $1.event) }
    }

    package func finish(_ ids: [Int64]) async throws {
        try await described {
            guard !ids.isEmpty else { return }
            try await client.query("DELETE FROM urlpoll.alert_outbox WHERE id = ANY(\(ids)::int8[])", logger: logger).drain()
        }
    }
}
