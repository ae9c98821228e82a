import Foundation
import GRDB
import GRDBSQLite
import URLPollCore

extension SQLiteHistoryStore {
    /// One event as the write transaction needs it: ids the store already knows are filled in.
    struct PreparedEvent: Sendable {
        let event: HistoryEvent
        var urlID: Int64?
        var statusID: Int64?
        var lastTime: Int64?
    }

    /// What a write transaction learnt: new ids, and each URL's last result time.
    struct Learnt: Sendable {
        var urlIDs: [String: Int64] = [:]
        var statusIDs: [String: Int64] = [:]
        var lastTimes: [Int64: Int64] = [:]
    }

    public func write(_ events: [HistoryEvent], run: Int64, aliveAt: Date) async throws {
        guard !events.isEmpty else { return }
        let prepared = events.map { event -> PreparedEvent in
            switch event {
            case .polled(let record):
                let urlID = urlIDs[record.url]
                return PreparedEvent(event: event, urlID: urlID, statusID: statusIDs[record.status], lastTime: urlID.flatMap { lastTimes[$0] })
            case .removed(let url, _):
                return PreparedEvent(event: event, urlID: urlIDs[url])
            }
        }
        let alive = ResultEncoding.milliseconds(aliveAt)
        let learnt = try await pool.write { db in try Self.write(prepared, run: run, alive: alive, in: db) }
        urlIDs.merge(learnt.urlIDs) { _, new in new }
        statusIDs.merge(learnt.statusIDs) { _, new in new }
        lastTimes.merge(learnt.lastTimes) { _, new in new }
    }

    /// One result row, as the table stores it.
    struct ResultRow {
        let urlID: Int64
        let time: Int64
        let outcome: Int64
        let latency: Int64
        let status: Int64
    }

    /// The transaction of one batch: results, last states, coverage, incidents, removals, the run's
    /// alive time. Result rows are inserted in key order (URL, time), so that each insert lands next to
    /// the previous one in the table's B-tree instead of seeking across it.
    static func write(_ events: [PreparedEvent], run: Int64, alive: Int64, in db: Database) throws -> Learnt {
        var learnt = Learnt()
        let insertResult = try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO result (url_id, t, outcome, latency_us, status_id) VALUES (?, ?, ?, ?, ?)"
        )
        var rows: [ResultRow] = []
        rows.reserveCapacity(events.count)
        var lastState: [Int64: (record: PollRecord, statusID: Int64, time: Int64, count: Int64)] = [:]
        for prepared in events {
            switch prepared.event {
            case .polled(let record):
                let urlID = try prepared.urlID ?? learnt.urlIDs[record.url] ?? urlID(record.url, in: db, learnt: &learnt)
                let statusID = try prepared.statusID ?? learnt.statusIDs[record.status] ?? statusID(record.status, in: db, learnt: &learnt)
                // Unique per URL: a result in the same millisecond as the previous one goes a millisecond later.
                var time = ResultEncoding.milliseconds(record.checkedAt)
                if let last = learnt.lastTimes[urlID] ?? prepared.lastTime, time <= last { time = last + 1 }
                learnt.lastTimes[urlID] = time
                let outcome = ResultEncoding.outcome(health: record.health, method: record.method, code: record.code)
                let latency = max(0, record.latency.wholeMicroseconds)
                rows.append(ResultRow(urlID: urlID, time: time, outcome: outcome, latency: latency, status: statusID))
                lastState[urlID] = (record, statusID, time, (lastState[urlID]?.count ?? 0) + 1)
                if record.isFirstInRun {
                    try db.execute(
                        sql: "UPDATE coverage SET to_t = ? WHERE run_id = ? AND url_id = ? AND to_t IS NULL",
                        arguments: [time, run, urlID]
                    )
                    try db.execute(sql: "INSERT INTO coverage (url_id, run_id, from_t) VALUES (?, ?, ?)", arguments: [urlID, run, time])
                }
                if record.health == .down && record.previous != .down {
                    try db.execute(
                        sql: "INSERT INTO incident (url_id, down_at, status_id) VALUES (?, ?, ?)",
                        arguments: [urlID, time, statusID]
                    )
                } else if record.health == .up && record.previous == .down {
                    try db.execute(sql: "UPDATE incident SET up_at = ? WHERE url_id = ? AND up_at IS NULL", arguments: [time, urlID])
                }
            case .removed(let url, let at):
                guard let urlID = try prepared.urlID ?? learnt.urlIDs[url] ?? existingURLID(url, in: db) else { continue }
                try db.execute(
                    sql: "UPDATE coverage SET to_t = ? WHERE run_id = ? AND url_id = ? AND to_t IS NULL",
                    arguments: [ResultEncoding.milliseconds(at), run, urlID]
                )
            }
        }
        rows.sort { ($0.urlID, $0.time) < ($1.urlID, $1.time) }
        for row in rows {
            try insert(insertResult, row)
        }
        let updateURL = try db.cachedStatement(
            sql: """
                UPDATE url SET health = ?, since = ?, failures = ?, checked_at = ?, outcome = ?, latency_us = ?, status_id = ?,
                    results = results + ?
                WHERE id = ?
                """
        )
        for (urlID, last) in lastState {
            let record = last.record
            try updateURL.execute(arguments: [
                ResultEncoding.value(record.health), ResultEncoding.milliseconds(record.since), record.consecutiveFailures, last.time,
                ResultEncoding.outcome(health: record.health, method: record.method, code: record.code),
                max(0, record.latency.wholeMicroseconds), last.statusID, last.count, urlID,
            ])
        }
        try db.execute(sql: "UPDATE run SET alive_at = max(alive_at, ?) WHERE id = ?", arguments: [alive, run])
        return learnt
    }

    /// Binds the five integers of a result row and steps the statement: the raw C calls, since this
    /// runs once per result.
    private static func insert(_ statement: Statement, _ row: ResultRow) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_bind_int64(handle, 1, row.urlID)
        sqlite3_bind_int64(handle, 2, row.time)
        sqlite3_bind_int64(handle, 3, row.outcome)
        sqlite3_bind_int64(handle, 4, row.latency)
        sqlite3_bind_int64(handle, 5, row.status)
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
        }
    }

    static func urlID(_ url: String, in db: Database, learnt: inout Learnt) throws -> Int64 {
        if let id = try existingURLID(url, in: db) {
            learnt.urlIDs[url] = id
            return id
        }
        try db.execute(sql: "INSERT INTO url (url) VALUES (?)", arguments: [url])
        let id = db.lastInsertedRowID
        learnt.urlIDs[url] = id
        return id
    }

    static func existingURLID(_ url: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT id FROM url WHERE url = ?", arguments: [url])
    }

    static func statusID(_ text: String, in db: Database, learnt: inout Learnt) throws -> Int64 {
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM status WHERE text = ?", arguments: [text]) {
            learnt.statusIDs[text] = id
            return id
        }
        try db.execute(sql: "INSERT INTO status (text) VALUES (?)", arguments: [text])
        let id = db.lastInsertedRowID
        learnt.statusIDs[text] = id
        return id
    }
}
