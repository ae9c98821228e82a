import Foundation
import GRDB
import GRDBSQLite
import URLPollCore

extension SQLiteHistoryStore {
    package func restore(_ urls: [String]) async throws -> [String: RestoredState] {
        let wanted = Set(urls)
        // Many URLs (a start): one pass over every URL row. A few (a reload adding some): one indexed
        // lookup each. Raw C calls on plain columns, status texts from a small dictionary: 100,000 URLs
        // restore in a fraction of a second (start-up waits for this).
        let scan = wanted.count > 1_000
        let (ids, restored) = try await pool.read { db -> ([String: Int64], [String: RestoredState]) in
            var texts: [Int64: String] = [:]
            let statuses = try Row.fetchCursor(db, sql: "SELECT id, text FROM status")
            while let row = try statuses.next() { texts[row[0]] = row[1] }
            var ids: [String: Int64] = [:]
            var restored: [String: RestoredState] = [:]
            ids.reserveCapacity(wanted.count)
            restored.reserveCapacity(wanted.count)
            let columns = "SELECT id, url, health, since, failures, checked_at, outcome, latency_us, status_id FROM url"
            let statement = try db.makeStatement(
                sql: columns + (scan ? " WHERE checked_at IS NOT NULL" : " WHERE url = ? AND checked_at IS NOT NULL")
            )
            let handle = statement.sqliteStatement
            func readRows() throws {
                var code = sqlite3_step(handle)
                while code == SQLITE_ROW {
                    let url = String(cString: sqlite3_column_text(handle, 1))
                    if wanted.contains(url) {
                        ids[url] = sqlite3_column_int64(handle, 0)
                        restored[url] = Self.restoredState(handle, texts: texts)
                    }
                    code = sqlite3_step(handle)
                }
                guard code == SQLITE_DONE else {
                    throw Self.stepError(code, handle)
                }
            }
            if scan {
                try readRows()
            } else {
                for url in wanted {
                    sqlite3_reset(handle)
                    try statement.setArguments([url])
                    try readRows()
                }
            }
            return (ids, restored)
        }
        if urlIDs.isEmpty { urlIDs = ids } else { urlIDs.merge(ids) { _, new in new } }
        return restored
    }

    /// The last state in the current row of a `url` query (columns id, url, health, since, failures,
    /// checked_at, outcome, latency_us, status_id; checked_at not null).
    private static func restoredState(_ handle: OpaquePointer?, texts: [Int64: String]) -> RestoredState {
        let checkedAt = sqlite3_column_int64(handle, 5)
        let (_, method, code) = ResultEncoding.decode(sqlite3_column_int64(handle, 6))
        let since = sqlite3_column_type(handle, 3) == SQLITE_NULL ? checkedAt : sqlite3_column_int64(handle, 3)
        let statusID = sqlite3_column_type(handle, 8) == SQLITE_NULL ? nil : Int64?(sqlite3_column_int64(handle, 8))
        return RestoredState(
            health: ResultEncoding.health(sqlite3_column_int64(handle, 2)),
            since: ResultEncoding.date(since),
            consecutiveFailures: Int(sqlite3_column_int64(handle, 4)),
            checkedAt: ResultEncoding.date(checkedAt),
            code: code,
            latency: .microseconds(sqlite3_column_int64(handle, 7)),
            status: statusID.flatMap { texts[$0] } ?? "",
            method: method
        )
    }

    package func timelines(since: Date, now: Date, run: Int64) async throws -> [String: Timeline] {
        let from = ResultEncoding.milliseconds(since)
        let end = ResultEncoding.milliseconds(now)
        return try await pool.read { db in
            var timelines: [String: Timeline] = [:]
            // Known time: an open span ends now in this run, at its run's last write in a run that died.
            let coverage = try Row.fetchCursor(
                db,
                sql: """
                    SELECT url.url, coverage.from_t,
                           coalesce(coverage.to_t, CASE WHEN coverage.run_id = ? THEN ? ELSE coalesce(run.stopped_at, run.alive_at) END)
                    FROM coverage JOIN url ON url.id = coverage.url_id JOIN run ON run.id = coverage.run_id
                    WHERE coalesce(coverage.to_t, ?) >= ?
                    """,
                arguments: [run, end, end, from]
            )
            while let row = try coverage.next() {
                timelines[row[0], default: Timeline()].coverage.append(Self.span(row[1], row[2]))
            }
            let outages = try Row.fetchCursor(
                db,
                sql: """
                    SELECT url.url, incident.down_at, coalesce(incident.up_at, ?)
                    FROM incident JOIN url ON url.id = incident.url_id
                    WHERE coalesce(incident.up_at, ?) >= ?
                    """,
                arguments: [end, end, from]
            )
            while let row = try outages.next() {
                timelines[row[0], default: Timeline()].down.append(Self.span(row[1], row[2]))
            }
            return timelines
        }
    }

    static func span(_ start: Int64, _ end: Int64) -> UptimeArithmetic.Span {
        UptimeArithmetic.Span(start: Double(start) / 1000, end: Double(end) / 1000)
    }

    package func results(url: String, since: Date) async throws -> [StoredResult] {
        let from = ResultEncoding.milliseconds(since)
        return try await pool.read { db in
            // A row starts at most an hour before its last result (``PackedResults``).
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT result.t, result.outcome, result.latency_us, result.status_id, result.more
                    FROM result JOIN url ON url.id = result.url_id
                    WHERE url.url = ? AND result.t >= ? ORDER BY result.t
                    """,
                arguments: [url, from - 3_600_000]
            )
            var texts: [Int64: String] = [:]
            var results: [StoredResult] = []
            while let row = try rows.next() {
                for entry in try Self.entries(of: row) where entry.time >= from {
                    let status: String
                    if let known = texts[entry.status] {
                        status = known
                    } else {
                        status = try String.fetchOne(db, sql: "SELECT text FROM status WHERE id = ?", arguments: [entry.status]) ?? ""
                        texts[entry.status] = status
                    }
                    let (health, method, code) = ResultEncoding.decode(entry.outcome)
                    results.append(
                        StoredResult(
                            checkedAt: ResultEncoding.date(entry.time),
                            health: health,
                            code: code,
                            latency: .microseconds(entry.latency),
                            status: status,
                            method: method
                        )
                    )
                }
            }
            return results
        }
    }

    package func incidents(url: String?, since: Date, limit: Int? = nil) async throws -> [Incident] {
        let from = ResultEncoding.milliseconds(since)
        return try await pool.read { db in
            var sql = """
                SELECT url.url, incident.down_at, incident.up_at, status.text
                FROM incident JOIN url ON url.id = incident.url_id JOIN status ON status.id = incident.status_id
                WHERE (incident.up_at IS NULL OR incident.up_at >= ?)
                """
            var arguments: StatementArguments = [from]
            if let url {
                sql += " AND url.url = ?"
                arguments += [url]
            }
            sql += " ORDER BY incident.down_at DESC"
            if let limit { sql += " LIMIT \(max(0, limit))" }
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                Incident(
                    url: TargetURL(row[0]),
                    downAt: ResultEncoding.date(row[1]),
                    upAt: (row[2] as Int64?).map(ResultEncoding.date),
                    firstStatus: row[3]
                )
            }
        }
    }

    /// The hourly aggregates of `url` since `since`, oldest first.
    package func hourly(url: String, since: Date) async throws -> [HourlyAggregate] {
        let from = ResultEncoding.milliseconds(RetentionPolicy.hourStart(since))
        return try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT hourly.hour, hourly.polls, hourly.failures, hourly.latency_sum_us, hourly.latency_min_us, hourly.latency_max_us,
                           hourly.latency_p95_us
                    FROM hourly JOIN url ON url.id = hourly.url_id WHERE url.url = ? AND hourly.hour >= ? ORDER BY hourly.hour
                    """,
                arguments: [url, from]
            ).map { row in
                HourlyAggregate(
                    hour: ResultEncoding.date(row[0]),
                    polls: row[1],
                    failures: row[2],
                    latencySum: .microseconds(row[3] as Int64),
                    latencyMin: .microseconds(row[4] as Int64),
                    latencyMax: .microseconds(row[5] as Int64),
                    latencyP95: .microseconds(row[6] as Int64)
                )
            }
        }
    }

    /// Bytes on disk per table and index (SQLite's `dbstat`), for the figures.
    package func tableBytes() async throws -> [String: Int] {
        try await pool.read { db in
            var bytes: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT name, sum(pgsize) FROM dbstat GROUP BY name") {
                bytes[row[0]] = row[1]
            }
            return bytes
        }
    }

    /// Rows per table, for the figures and tests; for `result`, the results (a row may hold several).
    package func counts() async throws -> [String: Int] {
        try await pool.read { db in
            var counts: [String: Int] = [:]
            for table in ["url", "status", "hourly", "incident", "coverage", "run"] {
                counts[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            counts["result"] = try Int.fetchOne(db, sql: "SELECT coalesce(sum(n), 0) FROM result") ?? 0
            counts["result rows"] = try Int.fetchOne(db, sql: "SELECT count(*) FROM result") ?? 0
            return counts
        }
    }
}
