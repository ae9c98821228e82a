/// The PostgreSQL database's tables, all in the schema `urlpoll` (so the database may hold other
/// things), created and upgraded by numbered migrations. The same tables as the SQLite store's
/// (``HistorySchema``), with one result per row (PostgreSQL takes a batch's rows in one statement) and
/// times in milliseconds since 1970 (UTC).
///
/// Several instances may start at once: migrations run in one transaction under an advisory lock, so
/// exactly one instance applies them and the others find them done. A database with a migration this
/// version does not know was written by a newer urlpoll and is refused before anything is changed.
enum PostgresSchema {
    /// The key of the advisory lock migrations hold (an arbitrary constant: "urlpoll" in ASCII, cut).
    static let migrationLock: Int64 = 0x7572_6c70_6f6c_6c01

    /// Each migration: its id and its statements, in order. Append only; never edit one that shipped.
    static let migrations: [(id: String, statements: [String])] = [
        (
            "v1",
            [
                "CREATE TABLE urlpoll.meta (key text PRIMARY KEY, value bigint NOT NULL)",
                """
                CREATE TABLE urlpoll.run (
                    id bigserial PRIMARY KEY, started_at bigint NOT NULL, alive_at bigint NOT NULL, stopped_at bigint)
                """,
                """
                CREATE TABLE urlpoll.url (
                    id bigserial PRIMARY KEY, url text NOT NULL UNIQUE,
                    health smallint NOT NULL DEFAULT 0, since bigint, failures integer NOT NULL DEFAULT 0,
                    checked_at bigint, outcome bigint, latency_us bigint, status_id bigint,
                    results bigint NOT NULL DEFAULT 0)
                """,
                "CREATE TABLE urlpoll.status (id bigserial PRIMARY KEY, text text NOT NULL UNIQUE)",
                """
                CREATE TABLE urlpoll.result (
                    url_id bigint NOT NULL, t bigint NOT NULL, outcome bigint NOT NULL, latency_us bigint NOT NULL,
                    status_id bigint NOT NULL, PRIMARY KEY (url_id, t))
                """,
                """
                CREATE TABLE urlpoll.hourly (
                    url_id bigint NOT NULL, hour bigint NOT NULL, polls bigint NOT NULL, failures bigint NOT NULL,
                    latency_sum_us bigint NOT NULL, latency_min_us bigint NOT NULL, latency_max_us bigint NOT NULL,
                    latency_p95_us bigint NOT NULL, PRIMARY KEY (url_id, hour))
                """,
                """
                CREATE TABLE urlpoll.incident (
                    id bigserial PRIMARY KEY, url_id bigint NOT NULL, down_at bigint NOT NULL, up_at bigint,
                    status_id bigint NOT NULL)
                """,
                "CREATE INDEX incident_by_url ON urlpoll.incident (url_id, down_at)",
                "CREATE INDEX incident_by_time ON urlpoll.incident (down_at)",
                "CREATE INDEX incident_open ON urlpoll.incident (url_id) WHERE up_at IS NULL",
                """
                CREATE TABLE urlpoll.coverage (
                    id bigserial PRIMARY KEY, url_id bigint NOT NULL, run_id bigint NOT NULL, from_t bigint NOT NULL, to_t bigint)
                """,
                "CREATE INDEX coverage_by_url ON urlpoll.coverage (url_id)",
                "CREATE INDEX coverage_open ON urlpoll.coverage (run_id, url_id) WHERE to_t IS NULL",
                """
                CREATE TABLE urlpoll.alert_announcement (
                    url text NOT NULL, receiver text NOT NULL, since bigint NOT NULL, last_sent bigint NOT NULL,
                    PRIMARY KEY (url, receiver))
                """,
                "CREATE TABLE urlpoll.alert_outbox (id bigint PRIMARY KEY, receiver text NOT NULL, event text NOT NULL)",
            ]
        ),
        (
            // The configuration several instances share (`urlpoll sync-config`): every version written,
            // the newest the one that runs.
            "v2",
            [
                """
                CREATE TABLE urlpoll.config (
                    version bigserial PRIMARY KEY, text text NOT NULL, source text NOT NULL, written_at bigint NOT NULL)
                """
            ]
        ),
        (
            // Each run is one instance's lifetime: its name and location, for `/api/instances`.
            "v3",
            ["ALTER TABLE urlpoll.run ADD COLUMN instance text NOT NULL DEFAULT '', ADD COLUMN location text NOT NULL DEFAULT ''"]
        ),
        (
            // The shared schedule: each URL's next due time and its lease (who holds it, until when, and
            // the token of the claim), in milliseconds of the server's clock; alert deliveries shared;
            // each run's figures.
            "v4",
            [
                // Narrow rows with room on each page: a claim and a release rewrite a URL's row every poll,
                // and PostgreSQL's in-page (HOT) updates need the room and no indexed column changed.
                """
                CREATE TABLE urlpoll.schedule (
                    url_id bigint PRIMARY KEY, due_at bigint NOT NULL DEFAULT 0, lease_until bigint, lease_run bigint,
                    token bigint NOT NULL DEFAULT 0, failures integer NOT NULL DEFAULT 0) WITH (fillfactor = 50)
                """,
                // Each result rewrites its URL's last state: room on the page keeps those updates in place.
                "ALTER TABLE urlpoll.url SET (fillfactor = 70)",
                // The run that recorded each URL's last state: an instance reads only the others'.
                "ALTER TABLE urlpoll.url ADD COLUMN checked_by bigint",
                // Alert deliveries: ids from one sequence for every instance, and the run that holds each.
                "CREATE SEQUENCE urlpoll.alert_outbox_id",
                "SELECT setval('urlpoll.alert_outbox_id', coalesce((SELECT max(id) FROM urlpoll.alert_outbox), 0) + 1, false)",
                "ALTER TABLE urlpoll.alert_outbox ADD COLUMN run_id bigint",
                // Each run's figures as of its last heartbeat, for the fleet's /metrics and /api/instances.
                """
                ALTER TABLE urlpoll.run ADD COLUMN polls bigint NOT NULL DEFAULT 0, ADD COLUMN lateness_p99_us bigint,
                    ADD COLUMN leases_held bigint NOT NULL DEFAULT 0, ADD COLUMN claim_round_trips bigint NOT NULL DEFAULT 0
                """,
            ]
        ),
        (
            // Quorum across locations: a URL with a quorum has a schedule row per location (the others
            // keep the one row, location ''), and each location's latest view of it.
            "v5",
            [
                "ALTER TABLE urlpoll.schedule ADD COLUMN location text NOT NULL DEFAULT ''",
                "ALTER TABLE urlpoll.schedule DROP CONSTRAINT schedule_pkey",
                "ALTER TABLE urlpoll.schedule ADD PRIMARY KEY (url_id, location)",
                """
                CREATE TABLE urlpoll.location_view (
                    url_id bigint NOT NULL, location text NOT NULL, health smallint NOT NULL, checked_at bigint NOT NULL,
                    status text NOT NULL, run_id bigint NOT NULL, PRIMARY KEY (url_id, location)) WITH (fillfactor = 70)
                """,
                "CREATE INDEX location_view_by_time ON urlpoll.location_view (checked_at)",
            ]
        ),
        (
            // At most one open incident per URL, held by the database itself: two instances committing
            // the first poll of the same outage at the same moment each found none open and both opened
            // one. The same outage stored twice is removed first (the earliest row stays), so that the
            // unique index can be built on any database.
            "v6",
            [
                """
                DELETE FROM urlpoll.incident i USING urlpoll.incident e
                WHERE i.up_at IS NULL AND e.up_at IS NULL AND e.url_id = i.url_id AND (e.down_at, e.id) < (i.down_at, i.id)
                """,
                "DROP INDEX urlpoll.incident_open",
                "CREATE UNIQUE INDEX incident_open ON urlpoll.incident (url_id) WHERE up_at IS NULL",
            ]
        ),
    ]
}
