import Foundation
import GRDB
import GRDBSQLite
import URLPollCore

extension SQLiteHistoryStore {
    /// What the store already knows about the events of a batch, by index: URL ids, status ids and each
    /// URL's last result time (`nil` where the transaction must look them up or create them).
    struct Known: Sendable {
        var urlIDs: [Int64?]
        var statusIDs: [Int64?]
        var lastTimes: [Int64?]
    }

    /// What a write transaction learnt: new ids, and each URL's last result time.
    struct Learnt: Sendable {
        var urlIDs: [String: Int64] = [:]
        var statusIDs: [String: Int64] = [:]
        var lastTimes: [Int64: Int64] = [:]
    }

    package func write(_ events: [HistoryEvent], run: Int64, aliveAt: Date) async throws {
        guard !events.isEmpty else { return }
        var known = Known(urlIDs: [], statusIDs: [], lastTimes: [])
        known.urlIDs.reserveCapacity(events.count)
        known.statusIDs.reserveCapacity(events.count)
        known.lastTimes.reserveCapacity(events.count)
        for event in events {
            switch event {
            case .polled(let record):
                let urlID = urlIDs[record.url.configured]
                known.urlIDs.append(urlID)
                known.statusIDs.append(statusIDs[record.status])
                known.lastTimes.append(urlID.flatMap { lastTimes[$0] })
            case .removed(let removedURL, _):
                let url = removedURL.configured
                known.urlIDs.append(urlIDs[url])
                known.statusIDs.append(nil)
                known.lastTimes.append(nil)
            }
        }
        let alive = ResultEncoding.milliseconds(aliveAt)
        let learnt = try await pool.write { [known] db in try Self.write(events, known: known, run: run, alive: alive, in: db) }
        urlIDs.merge(learnt.urlIDs) { _, new in new }
        statusIDs.merge(learnt.statusIDs) { _, new in new }
        lastTimes.merge(learnt.lastTimes) { _, new in new }
        // A removed URL is forgotten here (the database keeps it): what the store keeps in memory follows
        // the URLs monitored now, however many a long run of reloads has seen.
        for case .removed(let removedURL, _) in events {
            let url = removedURL.configured
            if let id = urlIDs.removeValue(forKey: url) { lastTimes[id] = nil }
        }
    }

    /// One result with the URL it belongs to, as the transaction collects them.
    struct ResultRow {
        let urlID: Int64
        let entry: PackedResults.Entry
    }

    /// Rows inserted by one statement run (the rest one by one): fewer statement runs per batch.
    static let rowsPerInsert = 32

    /// The transaction of one batch: results, last states, coverage, incidents, removals, the run's
    /// alive time. Results are inserted in key order (URL, time), so that each insert lands next to the
    /// previous one in the table's B-tree instead of seeking across it, and a URL's results of one hour
    /// share one row (``PackedResults``). Every statement is prepared
    /// once per connection (cached): a URL seen for the first time costs a few statement runs, not a few
    /// compilations.
    static func write(_ events: [HistoryEvent], known: Known, run: Int64, alive: Int64, in db: Database) throws -> Learnt {
        var learnt = Learnt()
        let closeCoverage = try db.cachedStatement(sql: "UPDATE coverage SET to_t = ? WHERE run_id = ? AND url_id = ? AND to_t IS NULL")
        let openCoverage = try db.cachedStatement(sql: "INSERT INTO coverage (url_id, run_id, from_t) VALUES (?, ?, ?)")
        let openIncident = try db.cachedStatement(sql: "INSERT INTO incident (url_id, down_at, status_id) VALUES (?, ?, ?)")
        let closeIncident = try db.cachedStatement(sql: "UPDATE incident SET up_at = ? WHERE url_id = ? AND up_at IS NULL")
        var rows: [ResultRow] = []
        rows.reserveCapacity(events.count)
        /// Per URL: the index of its last event in the batch, its status id and time, and its results.
        var lastState: [Int64: (index: Int, statusID: Int64, time: Int64, count: Int64)] = [:]
        for (index, event) in events.enumerated() {
            switch event {
            case .polled(let record):
                let urlID = try known.urlIDs[index] ?? learnt.urlIDs[record.url.configured] ?? urlID(record.url.configured, in: db, learnt: &learnt)
                let statusID = try known.statusIDs[index] ?? learnt.statusIDs[record.status] ?? statusID(record.status, in: db, learnt: &learnt)
                // Unique per URL: a result in the same millisecond as the previous one goes a millisecond later.
                var time = ResultEncoding.milliseconds(record.checkedAt)
                if let last = learnt.lastTimes[urlID] ?? known.lastTimes[index], time <= last { time = last + 1 }
                learnt.lastTimes[urlID] = time
                let outcome = ResultEncoding.outcome(health: record.health, method: record.method, code: record.code)
                let latency = max(0, record.latency.wholeMicroseconds)
                rows.append(ResultRow(urlID: urlID, entry: .init(time: time, outcome: outcome, latency: latency, status: statusID)))
                lastState[urlID] = (index, statusID, time, (lastState[urlID]?.count ?? 0) + 1)
                if record.isFirstInRun {
                    try closeCoverage.execute(arguments: [time, run, urlID])
                    try openCoverage.execute(arguments: [urlID, run, time])
                }
                if record.health == .down && record.previous != .down {
                    try openIncident.execute(arguments: [urlID, time, statusID])
                } else if record.health == .up && record.previous == .down {
                    try closeIncident.execute(arguments: [time, urlID])
                }
            case .removed(let removedURL, let at):
                let url = removedURL.configured
                guard let urlID = try known.urlIDs[index] ?? learnt.urlIDs[url] ?? existingURLID(url, in: db) else { continue }
                try closeCoverage.execute(arguments: [ResultEncoding.milliseconds(at), run, urlID])
            }
        }
        rows.sort { ($0.urlID, $0.entry.time) < ($1.urlID, $1.entry.time) }
        try insert(rows, in: db)
        let updateURL = try db.cachedStatement(
            sql: """
                UPDATE url SET health = ?, since = ?, failures = ?, checked_at = ?, outcome = ?, latency_us = ?, status_id = ?,
                    results = results + ?
                WHERE id = ?
                """
        )
        for (urlID, last) in lastState {
            guard case .polled(let record) = events[last.index] else { continue }
            try updateURL.execute(arguments: [
                ResultEncoding.value(record.health), ResultEncoding.milliseconds(record.since), record.consecutiveFailures, last.time,
                ResultEncoding.outcome(health: record.health, method: record.method, code: record.code),
                max(0, record.latency.wholeMicroseconds), last.statusID, last.count, urlID,
            ])
        }
        try db.cachedStatement(sql: "UPDATE run SET alive_at = max(alive_at, ?) WHERE id = ?").execute(arguments: [alive, run])
        return learnt
    }

    /// Inserts `rows` (sorted by URL and time) as one table row per URL and hour, ``rowsPerInsert``
    /// table rows per statement run and the rest one by one.
    private static func insert(_ rows: [ResultRow], in db: Database) throws {
        let columns = "INSERT OR REPLACE INTO result (url_id, t, outcome, latency_us, status_id, n, more) VALUES "
        let values = "(?, ?, ?, ?, ?, ?, ?)"
        let many = try db.cachedStatement(sql: columns + Array(repeating: values, count: rowsPerInsert).joined(separator: ", "))
        let one = try db.cachedStatement(sql: columns + values)
        var groups: [Range<Int>] = []
        var start = 0
        while start < rows.count {
            let first = rows[start]
            var end = start + 1
            while end < rows.count, rows[end].urlID == first.urlID, rows[end].entry.time / 3_600_000 == first.entry.time / 3_600_000 {
                end += 1
            }
            groups.append(start..<end)
            start = end
        }
        var next = 0
        while groups.count - next >= rowsPerInsert {
            try insert(many, groups[next..<next + rowsPerInsert], of: rows)
            next += rowsPerInsert
        }
        while next < groups.count {
            try insert(one, groups[next..<next + 1], of: rows)
            next += 1
        }
    }

    /// Binds each group of `rows` as one table row and steps the statement once: the raw C calls, since
    /// this runs for every URL of every batch.
    private static func insert(_ statement: Statement, _ groups: ArraySlice<Range<Int>>, of rows: [ResultRow]) throws {
        let handle = statement.sqliteStatement
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        var column: Int32 = 1
        for group in groups {
            let first = rows[group.lowerBound]
            sqlite3_bind_int64(handle, column, first.urlID)
            sqlite3_bind_int64(handle, column + 1, first.entry.time)
            sqlite3_bind_int64(handle, column + 2, first.entry.outcome)
            sqlite3_bind_int64(handle, column + 3, first.entry.latency)
            sqlite3_bind_int64(handle, column + 4, first.entry.status)
            sqlite3_bind_int64(handle, column + 5, Int64(group.count))
            if group.count > 1 {
                let more = PackedResults.pack(rows[group.dropFirst()].lazy.map(\.entry), after: first.entry)
                more.withUnsafeBytes { bytes in
                    _ = sqlite3_bind_blob(handle, column + 6, bytes.baseAddress, Int32(bytes.count), transient)
                }
            }
            column += 7
        }
        let code = sqlite3_step(handle)
        guard code == SQLITE_DONE else {
            throw stepError(code, handle)
        }
    }

    /// The error of a raw `sqlite3_step` that did not succeed, as GRDB reports its own.
    static func stepError(_ code: Int32, _ handle: OpaquePointer?) -> DatabaseError {
        DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))))
    }

    /// SQLite's `SQLITE_TRANSIENT`: it copies a bound blob before the call returns.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    static func urlID(_ url: String, in db: Database, learnt: inout Learnt) throws -> Int64 {
        if let id = try existingURLID(url, in: db) {
            learnt.urlIDs[url] = id
            return id
        }
        try db.cachedStatement(sql: "INSERT INTO url (url) VALUES (?)").execute(arguments: [url])
        let id = db.lastInsertedRowID
        learnt.urlIDs[url] = id
        return id
    }

    static func existingURLID(_ url: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM url WHERE url = ?"), arguments: [url])
    }

    static func statusID(_ text: String, in db: Database, learnt: inout Learnt) throws -> Int64 {
        if let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM status WHERE text = ?"), arguments: [text]) {
            learnt.statusIDs[text] = id
            return id
        }
        try db.cachedStatement(sql: "INSERT INTO status (text) VALUES (?)").execute(arguments: [text])
        let id = db.lastInsertedRowID
        learnt.statusIDs[text] = id
        return id
    }
}
