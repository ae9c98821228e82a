import Foundation
import GRDB
import URLPollCore

/// The alert state beside the history, in the same file (tables of schema v2).
extension SQLiteHistoryStore: AlertStore {
    package func loadAlerts() async throws -> AlertLedger {
        try await pool.read { db in
            let announcements = try Row.fetchAll(db, sql: "SELECT url, receiver, since, last_sent FROM alert_announcement").map { row in
                AlertTracker.Announcement(
                    url: row[0],
                    receiver: row[1],
                    since: ResultEncoding.date(row[2]),
                    lastSent: ResultEncoding.date(row[3])
                )
            }
            let decoder = JSONDecoder()
            var pending: [PendingDelivery] = []
            for row in try Row.fetchAll(db, sql: "SELECT id, event FROM alert_outbox ORDER BY id") {
                let json: String = row[1]
                // An entry this version cannot read (written by a newer one) is skipped, not fatal.
                guard let event = try? decoder.decode(AlertEvent.self, from: Data(json.utf8)) else { continue }
                pending.append(PendingDelivery(id: row[0], event: event))
            }
            return AlertLedger(announcements: announcements, pending: pending)
        }
    }

    package func save(_ changes: AlertTracker.Changes, queued: [PendingDelivery]) async throws -> [PendingDelivery] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let events = try queued.map { delivery in
            (delivery.id, delivery.event.receiver, String(decoding: try encoder.encode(delivery.event), as: UTF8.self))
        }
        try await pool.write { db in
            for announcement in changes.announced {
                try db.execute(
                    sql: "INSERT OR REPLACE INTO alert_announcement (url, receiver, since, last_sent) VALUES (?, ?, ?, ?)",
                    arguments: [
                        announcement.url, announcement.receiver, ResultEncoding.milliseconds(announcement.since),
                        ResultEncoding.milliseconds(announcement.lastSent),
                    ]
                )
            }
            for ended in changes.ended {
                try db.execute(sql: "DELETE FROM alert_announcement WHERE url = ? AND receiver = ?", arguments: [ended.url, ended.receiver])
            }
            for (id, receiver, json) in events {
                try db.execute(sql: "INSERT OR REPLACE INTO alert_outbox (id, receiver, event) VALUES (?, ?, ?)", arguments: [id, receiver, json])
            }
        }
        return queued
    }

    package func finish(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        try await pool.write { db in
            for id in ids { try db.execute(sql: "DELETE FROM alert_outbox WHERE id = ?", arguments: [id]) }
        }
    }
}
