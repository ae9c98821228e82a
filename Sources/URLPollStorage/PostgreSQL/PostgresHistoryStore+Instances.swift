import Foundation
import PostgresNIO
import URLPollCore

/// The instances sharing the database: each run is one instance's lifetime, its `alive_at` the
/// heartbeat (advanced by every batch, and every ``InstanceInfo/heartbeatInterval`` by the
/// instance's heartbeat even when nothing is polled).
extension PostgresHistoryStore {
    /// Names `run`'s instance and its location.
    package func identify(run: Int64, instance: String, location: String) async throws {
        pollingLocation = location
        try await described {
            try await client.query(
                "UPDATE urlpoll.run SET instance = \(instance), location = \(location) WHERE id = \(run)",
                logger: logger
            ).drain()
        }
    }

    /// Says that `run` is alive at `time`, with its figures.
    package func heartbeat(run: Int64, at time: Date, figures: InstanceFigures = InstanceFigures()) async throws {
        try await described {
            let lateness = figures.latenessP99.map(\.wholeMicroseconds)
            try await client.query(
                """
                UPDATE urlpoll.run SET alive_at = greatest(alive_at, \(ResultEncoding.milliseconds(time))), polls = \(Int64(figures.polls)),
                    lateness_p99_us = \(lateness), leases_held = \(Int64(figures.leasesHeld)), claim_round_trips = \(Int64(figures.claimRoundTrips))
                WHERE id = \(run)
                """,
                logger: logger
            ).drain()
        }
    }

    /// The live instances at `now`: runs that have not stopped and beat within ``InstanceInfo/liveFor``.
    package func instances(now: Date) async throws -> [InstanceInfo] {
        try await described {
            let since = ResultEncoding.milliseconds(now) - Self.liveForMilliseconds
            let rows = try await client.query(
                """
                SELECT id, instance, location, started_at, alive_at, polls, lateness_p99_us, leases_held, claim_round_trips FROM urlpoll.run
                WHERE stopped_at IS NULL AND alive_at >= \(since) ORDER BY started_at, id
                """,
                logger: logger
            )
            var instances: [InstanceInfo] = []
            for try await (run, name, location, started, alive, polls, lateness, leases, roundTrips) in rows.decode(
                (Int64, String, String, Int64, Int64, Int64, Int64?, Int64, Int64).self
            ) {
                let figures = InstanceFigures(
                    polls: Int(polls),
                    latenessP99: lateness.map { .microseconds($0) },
                    leasesHeld: Int(leases),
                    claimRoundTrips: Int(roundTrips)
                )
                instances.append(
                    InstanceInfo(
                        run: run,
                        name: name,
                        location: location,
                        startedAt: ResultEncoding.date(started),
                        heartbeatAt: ResultEncoding.date(alive),
                        figures: figures
                    )
                )
            }
            return instances
        }
    }
}
