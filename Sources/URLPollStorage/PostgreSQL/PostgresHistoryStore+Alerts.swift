import Foundation
import PostgresNIO
import URLPollCore

/// The alert state beside the history, in the same database (as in the SQLite store).
extension PostgresHistoryStore: AlertStore {
    public func loadAlerts() async throws -> AlertLedger {
        try await described {
            var ledger = AlertLedger()
            let announcements = try await client.query("SELECT url, receiver, since, last_sent FROM urlpoll.alert_announcement", logger: logger)
            for try await (url, receiver, since, lastSent) in announcements.decode((String, String, Int64, Int64).self) {
                ledger.announcements.append(
                    AlertTracker.Announcement(
                        url: url,
                        receiver: receiver,
                        since: ResultEncoding.date(since),
                        lastSent: ResultEncoding.date(lastSent)
                    )
                )
            }
            let decoder = JSONDecoder()
            let outbox = try await client.query("SELECT id, event FROM urlpoll.alert_outbox ORDER BY id", logger: logger)
            for try await (id, json) in outbox.decode((Int64, String).self) {
                // An entry this version cannot read (written by a newer one) is skipped, not fatal.
                guard let event = try? decoder.decode(AlertEvent.self, from: Data(json.utf8)) else { continue }
                ledger.pending.append(PendingDelivery(id: id, event: event))
            }
            return ledger
        }
    }

    public func save(_ changes: AlertTracker.Changes, queued: [PendingDelivery]) async throws {
        try await described {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let events = try queued.map { delivery in
                (delivery.id, delivery.event.receiver, String(decoding: try encoder.encode(delivery.event), as: UTF8.self))
            }
            let announced = changes.announced
            let ended = changes.ended
            try await client.withTransaction(logger: logger) { [logger] connection in
                if !announced.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO urlpoll.alert_announcement (url, receiver, since, last_sent)
                        SELECT * FROM unnest(\(announced.map(\.url))::text[], \(announced.map(\.receiver))::text[],
                                             \(announced.map { ResultEncoding.milliseconds($0.since) })::int8[],
                                             \(announced.map { ResultEncoding.milliseconds($0.lastSent) })::int8[])
                        ON CONFLICT (url, receiver) DO UPDATE SET since = excluded.since, last_sent = excluded.last_sent
                        """,
                        logger: logger
                    ).drain()
                }
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
                if !events.isEmpty {
                    try await connection.query(
                        """
                        INSERT INTO urlpoll.alert_outbox (id, receiver, event)
                        SELECT * FROM unnest(\(events.map(\.0))::int8[], \(events.map(\.1))::text[], \(events.map(\.2))::text[])
                        ON CONFLICT (id) DO UPDATE SET receiver = excluded.receiver, event = excluded.event
                        """,
                        logger: logger
                    ).drain()
                }
            }
        }
    }

    public func finish(_ ids: [Int64]) async throws {
        try await described {
            guard !ids.isEmpty else { return }
            try await client.query("DELETE FROM urlpoll.alert_outbox WHERE id = ANY(\(ids)::int8[])", logger: logger).drain()
        }
    }
}
