import Foundation
import GRDB
import URLPollCore

extension SQLiteHistoryStore {
    /// URLs handled per maintenance step: each step is one short transaction.
    static let urlsPerStep: Int64 = 500
    /// A retention round (over every URL) starts at most this often.
    static let pruneRoundInterval: TimeInterval = 600

    /// One step of rollup and retention, in this order: roll up the next finished hour (for the next
    /// URLs), then remove what retention no longer keeps (for the next URLs). Raw results are only removed
    /// once their hour is rolled up, so the per-URL cap may be exceeded by the hour in progress.
    package func maintain(now: Date, policy: RetentionPolicy) async throws -> Bool {
        let cutoffs = MaintenanceCutoffs(now: now, policy: policy)
        let (nowMS, resultCutoff, aggregateCutoff) = (cutoffs.now, cutoffs.results, cutoffs.aggregates)
        let (coverageCutoff, currentHour, perURL) = (cutoffs.coverage, cutoffs.currentHour, cutoffs.resultsPerURL)
        let mayStartRound = lastPruneRound.map { now.timeIntervalSince($0) >= Self.pruneRoundInterval || now < $0 } ?? true
        let (more, roundEnded) = try await pool.write { db -> (Bool, Bool) in
            if try Self.rollUpStep(before: currentHour, in: db) { return (true, false) }
            let inRound = (try Self.meta("prune_next_url", in: db) ?? 0) > 0
            guard inRound || mayStartRound else { return (false, false) }
            let rolledUpTo = try Self.meta("rolled_up_to", in: db) ?? 0
            let more = try Self.pruneStep(
                resultCutoff: min(resultCutoff, rolledUpTo),
                capBefore: rolledUpTo,
                perURL: perURL,
                aggregateCutoff: aggregateCutoff,
                coverageCutoff: coverageCutoff,
                now: nowMS,
                in: db
            )
            return (more, !more)
        }
        if roundEnded { lastPruneRound = now }
        return more
    }

    /// Rolls up the next URLs of the oldest hour not yet done; `false` when every finished hour is done.
    static func rollUpStep(before currentHour: Int64, in db: Database) throws -> Bool {
        let hour: Int64
        if let done = try meta("rolled_up_to", in: db) {
            hour = done
        } else {
            guard let oldest = try Int64.fetchOne(db, sql: "SELECT min(t) FROM result") else { return false }
            hour = oldest / 3_600_000 * 3_600_000
            try setMeta("rolled_up_to", hour, in: db)
        }
        guard hour < currentHour else { return false }
        let fromURL = try meta("rollup_next_url", in: db) ?? 0
        let urlIDs = try Int64.fetchAll(
            db,
            sql: "SELECT id FROM url WHERE id >= ? ORDER BY id LIMIT ?",
            arguments: [fromURL, urlsPerStep]
        )
        // A row never spans two hours (``PackedResults``): the rows starting in the hour hold its results.
        let select = try db.cachedStatement(sql: "SELECT t, outcome, latency_us, status_id, more FROM result WHERE url_id = ? AND t >= ? AND t < ?")
        let insert = try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO hourly (url_id, hour, polls, failures, latency_sum_us, latency_min_us, latency_max_us, latency_p95_us)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """
        )
        for urlID in urlIDs {
            var results: [(health: Health, latency: Duration)] = []
            for row in try Row.fetchAll(select, arguments: [urlID, hour, hour + 3_600_000]) {
                for entry in try Self.entries(of: row) {
                    results.append((ResultEncoding.decode(entry.outcome).health, .microseconds(entry.latency)))
                }
            }
            guard let aggregate = HourlyAggregate(hour: ResultEncoding.date(hour), results: results) else { continue }
            try insert.execute(arguments: [
                urlID, hour, aggregate.polls, aggregate.failures, aggregate.latencySum.wholeMicroseconds,
                aggregate.latencyMin.wholeMicroseconds, aggregate.latencyMax.wholeMicroseconds, aggregate.latencyP95.wholeMicroseconds,
            ])
        }
        if let last = urlIDs.last, urlIDs.count == Int(urlsPerStep) {
            try setMeta("rollup_next_url", last + 1, in: db)
        } else {
            try setMeta("rollup_next_url", 0, in: db)
            try setMeta("rolled_up_to", hour + 3_600_000, in: db)
        }
        return true
    }

    /// Removes, for the next URLs, results older than `resultCutoff` and beyond the per-URL cap (among
    /// those before `capBefore`) and aggregates older than `aggregateCutoff`; at the end of a round,
    /// old outages, coverage and runs. `false` when a whole round is done (the next call starts a new one).
    static func pruneStep(
        resultCutoff: Int64,
        capBefore: Int64,
        perURL: Int64,
        aggregateCutoff: Int64,
        coverageCutoff: Int64,
        now: Int64,
        in db: Database
    ) throws -> Bool {
        let fromURL = try meta("prune_next_url", in: db) ?? 0
        let urls = try Row.fetchAll(db, sql: "SELECT id, results FROM url WHERE id >= ? ORDER BY id LIMIT ?", arguments: [fromURL, urlsPerStep])
        let countOld = try db.cachedStatement(sql: "SELECT coalesce(sum(n), 0) FROM result WHERE url_id = ? AND t < ?")
        let lastOld = try db.cachedStatement(
            sql: "SELECT t, outcome, latency_us, status_id, more FROM result WHERE url_id = ? AND t < ? ORDER BY t DESC LIMIT 1"
        )
        let deleteOld = try db.cachedStatement(sql: "DELETE FROM result WHERE url_id = ? AND t < ?")
        let oldest = try db.cachedStatement(
            sql: "SELECT t, outcome, latency_us, status_id, more, n FROM result WHERE url_id = ? AND t < ? ORDER BY t LIMIT ?"
        )
        let deleteAggregates = try db.cachedStatement(sql: "DELETE FROM hourly WHERE url_id = ? AND hour < ?")
        let setCount = try db.cachedStatement(sql: "UPDATE url SET results = max(0, results - ?) WHERE id = ?")
        for row in urls {
            let (urlID, count): (Int64, Int64) = (row[0], row[1])
            // Results older than the cutoff; a row that straddles it keeps its newer results.
            var removed = try Int64.fetchOne(countOld, arguments: [urlID, resultCutoff]) ?? 0
            if removed > 0 {
                let straddling = try Row.fetchOne(lastOld, arguments: [urlID, resultCutoff]).map(entries(of:)) ?? []
                try deleteOld.execute(arguments: [urlID, resultCutoff])
                let kept = straddling.filter { $0.time >= resultCutoff }
                try insertRow(kept, urlID: urlID, in: db)
                removed -= Int64(kept.count)
            }
            // Then the oldest results beyond the per-URL cap, the same way.
            if count - removed > perURL {
                var excess = count - removed - perURL
                // Each row holds at least one result: `excess` rows are enough.
                let rows = try Row.fetchAll(oldest, arguments: [urlID, capBefore, excess])
                for row in rows where excess > 0 {
                    let n: Int64 = row[5]
                    let time: Int64 = row[0]
                    try db.execute(sql: "DELETE FROM result WHERE url_id = ? AND t = ?", arguments: [urlID, time])
                    if n > excess {
                        try insertRow(Array(try entries(of: row).dropFirst(Int(excess))), urlID: urlID, in: db)
                        removed += excess
                        excess = 0
                    } else {
                        removed += n
                        excess -= n
                    }
                }
            }
            if removed > 0 { try setCount.execute(arguments: [removed, urlID]) }
            try deleteAggregates.execute(arguments: [urlID, aggregateCutoff])
        }
        let urlIDs = urls.map { $0[0] as Int64 }
        if let last = urlIDs.last, urlIDs.count == Int(urlsPerStep) {
            try setMeta("prune_next_url", last + 1, in: db)
            return true
        }
        try setMeta("prune_next_url", 0, in: db)
        try db.execute(
            sql: "DELETE FROM incident WHERE down_at < ? AND up_at IS NOT NULL AND up_at < ?",
            arguments: [aggregateCutoff, aggregateCutoff]
        )
        try db.execute(sql: "DELETE FROM coverage WHERE to_t IS NOT NULL AND to_t < ?", arguments: [coverageCutoff])
        try db.execute(
            sql: "DELETE FROM run WHERE alive_at < ? AND NOT EXISTS (SELECT 1 FROM coverage WHERE coverage.run_id = run.id)",
            arguments: [coverageCutoff]
        )
        return false
    }

    /// Inserts `entries` (in time order, one URL's, within one hour) as one `result` row; nothing when empty.
    static func insertRow(_ entries: [PackedResults.Entry], urlID: Int64, in db: Database) throws {
        guard let first = entries.first else { return }
        let more = entries.count > 1 ? Data(PackedResults.pack(entries.dropFirst(), after: first)) : nil
        try db.cachedStatement(
            sql: "INSERT OR REPLACE INTO result (url_id, t, outcome, latency_us, status_id, n, more) VALUES (?, ?, ?, ?, ?, ?, ?)"
        ).execute(arguments: [urlID, first.time, first.outcome, first.latency, first.status, entries.count, more])
    }

    /// The results one `result` row holds (columns t, outcome, latency_us, status_id, more).
    static func entries(of row: Row) throws -> [PackedResults.Entry] {
        let first = PackedResults.Entry(time: row[0], outcome: row[1], latency: row[2], status: row[3])
        let more: Data? = row[4]
        return try PackedResults.unpack(first: first, more: more.map { [UInt8]($0) })
    }

    static func meta(_ key: String, in db: Database) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [key])
    }

    static func setMeta(_ key: String, _ value: Int64, in db: Database) throws {
        try db.execute(sql: "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", arguments: [key, value])
    }
}
