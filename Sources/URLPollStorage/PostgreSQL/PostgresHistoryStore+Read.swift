import Foundation
import PostgresNIO
import URLPollCore

extension PostgresHistoryStore {
    package func restore(_ urls: [String]) async throws -> [String: RestoredState] {
        try await described {
            guard !urls.isEmpty else { return [:] }
            return try await lastStates("\(unescaped: Self.selectLastStates) u.url = ANY(\(urls)::text[]) AND u.checked_at IS NOT NULL").states
        }
    }

    /// The last states other runs than `run` recorded at `since` or later, and the latest check time
    /// among them (`since` when none): what an instance adopts to show the fleet's view.
    package func lastStates(since: Date, otherThan run: Int64) async throws -> (states: [String: RestoredState], latest: Date) {
        try await described {
            let from = ResultEncoding.milliseconds(since)
            let (states, latest) = try await lastStates(
                "\(unescaped: Self.selectLastStates) u.checked_at >= \(from) AND u.checked_by IS DISTINCT FROM \(run)"
            )
            return (states, latest.map(ResultEncoding.date) ?? since)
        }
    }

    /// The views of URLs with a quorum that runs other than `run` recorded since `since` (by their check
    /// time), by URL, with the latest check time among them (`since` when there is none).
    package func locationViews(since: Date, otherThan run: Int64) async throws -> (views: [String: [QuorumVerdict.View]], latest: Date) {
        try await described {
            let rows = try await client.query(
                """
                SELECT u.url, v.location, v.health::int8, v.checked_at, v.status
                FROM urlpoll.location_view v JOIN urlpoll.url u ON u.id = v.url_id
                WHERE v.checked_at >= \(ResultEncoding.milliseconds(since)) AND v.run_id <> \(run)
                """,
                logger: logger
            )
            var views: [String: [QuorumVerdict.View]] = [:]
            var latest: Int64?
            for try await (url, location, health, checkedAt, status) in rows.decode((String, String, Int64, Int64, String).self) {
                latest = max(latest ?? checkedAt, checkedAt)
                views[url, default: []].append(
                    QuorumVerdict.View(
                        location: location,
                        health: ResultEncoding.health(health),
                        checkedAt: ResultEncoding.date(checkedAt),
                        status: status
                    )
                )
            }
            return (views, latest.map(ResultEncoding.date) ?? since)
        }
    }

    /// The start of a query of last states: its condition follows.
    static let selectLastStates = """
        SELECT u.id, u.url, u.health::int8, coalesce(u.since, u.checked_at), u.failures::int8, u.checked_at, u.outcome,
               u.latency_us, coalesce(s.text, '')
        FROM urlpoll.url u LEFT JOIN urlpoll.status s ON s.id = u.status_id
        WHERE
        """

    /// The last states `query` (``selectLastStates`` and a condition) selects, and their latest check time.
    private func lastStates(_ query: PostgresQuery) async throws -> (states: [String: RestoredState], latest: Int64?) {
        let rows = try await client.query(query, logger: logger)
        var restored: [String: RestoredState] = [:]
        var ids: [String: Int64] = [:]
        var latest: Int64?
        for try await (id, url, health, since, failures, checkedAt, outcome, latency, status) in rows.decode(
            (Int64, String, Int64, Int64, Int64, Int64, Int64, Int64, String).self
        ) {
            let (_, method, code) = ResultEncoding.decode(outcome)
            ids[url] = id
            latest = max(latest ?? checkedAt, checkedAt)
            restored[url] = RestoredState(
                health: ResultEncoding.health(health),
                since: ResultEncoding.date(since),
                consecutiveFailures: Int(failures),
                checkedAt: ResultEncoding.date(checkedAt),
                code: code,
                latency: .microseconds(latency),
                status: status,
                method: method
            )
        }
        urlIDs.merge(ids) { _, new in new }
        return (restored, latest)
    }

    /// How long after its last heartbeat or write a run that has not stopped still counts as alive, in
    /// the stores' milliseconds (``InstanceInfo/liveFor``): its open spans of known time end now.
    static let liveForMilliseconds = Int64(InstanceInfo.liveFor.components.seconds) * 1000

    package func timelines(since: Date, now: Date, run: Int64) async throws -> [String: Timeline] {
        try await described {
            let from = ResultEncoding.milliseconds(since)
            let end = ResultEncoding.milliseconds(now)
            var timelines: [String: Timeline] = [:]
            // Known time: an open span ends now in this run or another live one, at its run's last write in a
            // run that died.
            let coverage = try await client.query(
                """
                SELECT u.url, c.from_t,
                       coalesce(c.to_t, CASE WHEN c.run_id = \(run) OR (r.stopped_at IS NULL AND r.alive_at >= \(end - Self.liveForMilliseconds))
                                             THEN \(end) ELSE coalesce(r.stopped_at, r.alive_at) END)
                FROM urlpoll.coverage c JOIN urlpoll.url u ON u.id = c.url_id JOIN urlpoll.run r ON r.id = c.run_id
                WHERE coalesce(c.to_t, \(end)) >= \(from)
                """,
                logger: logger
            )
            for try await (url, start, stop) in coverage.decode((String, Int64, Int64).self) {
                timelines[url, default: Timeline()].coverage.append(Self.span(start, stop))
            }
            let outages = try await client.query(
                """
                SELECT u.url, i.down_at, coalesce(i.up_at, \(end))
                FROM urlpoll.incident i JOIN urlpoll.url u ON u.id = i.url_id
                WHERE coalesce(i.up_at, \(end)) >= \(from)
                """,
                logger: logger
            )
            for try await (url, start, stop) in outages.decode((String, Int64, Int64).self) {
                timelines[url, default: Timeline()].down.append(Self.span(start, stop))
            }
            return timelines
        }
    }

    static func span(_ start: Int64, _ end: Int64) -> UptimeArithmetic.Span {
        UptimeArithmetic.Span(start: Double(start) / 1000, end: Double(end) / 1000)
    }

    package func results(url: String, since: Date) async throws -> [StoredResult] {
        try await described {
            let from = ResultEncoding.milliseconds(since)
            let rows = try await client.query(
                """
                SELECT r.t, r.outcome, r.latency_us, coalesce(s.text, '')
                FROM urlpoll.result r JOIN urlpoll.url u ON u.id = r.url_id LEFT JOIN urlpoll.status s ON s.id = r.status_id
                WHERE u.url = \(url) AND r.t >= \(from) ORDER BY r.t
                """,
                logger: logger
            )
            var results: [StoredResult] = []
            for try await (time, outcome, latency, status) in rows.decode((Int64, Int64, Int64, String).self) {
                let (health, method, code) = ResultEncoding.decode(outcome)
                results.append(
                    StoredResult(
                        checkedAt: ResultEncoding.date(time),
                        health: health,
                        code: code,
                        latency: .microseconds(latency),
                        status: status,
                        method: method
                    )
                )
            }
            return results
        }
    }

    package func incidents(url: String?, since: Date, limit: Int? = nil) async throws -> [Incident] {
        try await described {
            let from = ResultEncoding.milliseconds(since)
            let rows = try await client.query(
                """
                SELECT u.url, i.down_at, i.up_at, coalesce(s.text, '')
                FROM urlpoll.incident i JOIN urlpoll.url u ON u.id = i.url_id LEFT JOIN urlpoll.status s ON s.id = i.status_id
                WHERE (i.up_at IS NULL OR i.up_at >= \(from)) AND (\(url)::text IS NULL OR u.url = \(url))
                ORDER BY i.down_at DESC, i.id DESC
                LIMIT \(limit.map { Int64(max(0, $0)) })
                """,
                logger: logger
            )
            var incidents: [Incident] = []
            for try await (url, downAt, upAt, status) in rows.decode((String, Int64, Int64?, String).self) {
                incidents.append(
                    Incident(url: TargetURL(url), downAt: ResultEncoding.date(downAt), upAt: upAt.map(ResultEncoding.date), firstStatus: status)
                )
            }
            return incidents
        }
    }

    /// The hourly aggregates of `url` since `since`, oldest first.
    package func hourly(url: String, since: Date) async throws -> [HourlyAggregate] {
        try await described {
            let from = ResultEncoding.milliseconds(RetentionPolicy.hourStart(since))
            let rows = try await client.query(
                """
                SELECT h.hour, h.polls, h.failures, h.latency_sum_us, h.latency_min_us, h.latency_max_us, h.latency_p95_us
                FROM urlpoll.hourly h JOIN urlpoll.url u ON u.id = h.url_id WHERE u.url = \(url) AND h.hour >= \(from) ORDER BY h.hour
                """,
                logger: logger
            )
            var aggregates: [HourlyAggregate] = []
            for try await (hour, polls, failures, sum, minimum, maximum, p95) in rows.decode(
                (Int64, Int64, Int64, Int64, Int64, Int64, Int64).self
            ) {
                aggregates.append(
                    HourlyAggregate(
                        hour: ResultEncoding.date(hour),
                        polls: Int(polls),
                        failures: Int(failures),
                        latencySum: .microseconds(sum),
                        latencyMin: .microseconds(minimum),
                        latencyMax: .microseconds(maximum),
                        latencyP95: .microseconds(p95)
                    )
                )
            }
            return aggregates
        }
    }

    /// Rows per table, for the figures and tests (`result rows` equals `result`: one result a row).
    package func counts() async throws -> [String: Int] {
        try await described {
            var counts: [String: Int] = [:]
            for table in ["url", "status", "hourly", "incident", "coverage", "run", "result"] {
                let rows = try await client.query("SELECT count(*) FROM urlpoll.\(unescaped: table)", logger: logger)
                for try await count in rows.decode(Int64.self) { counts[table] = Int(count) }
            }
            counts["result rows"] = counts["result"]
            return counts
        }
    }
}
