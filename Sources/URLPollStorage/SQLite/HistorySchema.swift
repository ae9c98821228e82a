import GRDB

/// The history database's tables, created and upgraded by GRDB's `DatabaseMigrator`. Every time is in
/// milliseconds since 1970 (UTC); every table a lookup needs is indexed.
///
/// - `run`: one row per process lifetime (`alive_at` advances with every batch, so a run that died by
///   `kill -9` ends at its last write).
/// - `url`: one row per URL ever monitored, with its last state (what a restart restores) and how many
///   results it has (for the per-URL cap, without counting them).
/// - `status`: each distinct status text once; results refer to it.
/// - `result`: the raw results, keyed by (URL, time of the row's first result): no rowid and no second
///   index. A row holds the `n` results of one URL written in one batch and one hour: the first in its
///   columns, the others packed in `more` (see ``PackedResults``).
/// - `hourly`: results rolled up per URL and hour (polls, failures, latency sum/min/max/p95).
/// - `incident`: outages (down at, up at or open, the first failing status).
/// - `coverage`: when each URL's state was known (from its first poll in a run to the run's end or its
///   removal): the other half of honest uptime.
/// - `meta`: small facts (how far rollup has come).
/// - `alert_announcement` (v2): which URL's outage was announced to which receiver, since when, last when.
/// - `alert_outbox` (v2): alert events not yet delivered, as JSON, in the order they were decided.
enum HistorySchema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value INTEGER NOT NULL) WITHOUT ROWID;
                    CREATE TABLE run (
                        id INTEGER PRIMARY KEY, started_at INTEGER NOT NULL, alive_at INTEGER NOT NULL, stopped_at INTEGER);
                    CREATE TABLE url (
                        id INTEGER PRIMARY KEY, url TEXT NOT NULL UNIQUE,
                        health INTEGER NOT NULL DEFAULT 0, since INTEGER, failures INTEGER NOT NULL DEFAULT 0,
                        checked_at INTEGER, outcome INTEGER, latency_us INTEGER, status_id INTEGER,
                        results INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE status (id INTEGER PRIMARY KEY, text TEXT NOT NULL UNIQUE);
                    CREATE TABLE result (
                        url_id INTEGER NOT NULL, t INTEGER NOT NULL, outcome INTEGER NOT NULL,
                        latency_us INTEGER NOT NULL, status_id INTEGER NOT NULL, n INTEGER NOT NULL, more BLOB,
                        PRIMARY KEY (url_id, t)) WITHOUT ROWID;
                    CREATE TABLE hourly (
                        url_id INTEGER NOT NULL, hour INTEGER NOT NULL, polls INTEGER NOT NULL, failures INTEGER NOT NULL,
                        latency_sum_us INTEGER NOT NULL, latency_min_us INTEGER NOT NULL, latency_max_us INTEGER NOT NULL,
                        latency_p95_us INTEGER NOT NULL,
                        PRIMARY KEY (url_id, hour)) WITHOUT ROWID;
                    CREATE TABLE incident (
                        id INTEGER PRIMARY KEY, url_id INTEGER NOT NULL, down_at INTEGER NOT NULL, up_at INTEGER,
                        status_id INTEGER NOT NULL);
                    CREATE INDEX incident_by_url ON incident (url_id, down_at);
                    CREATE INDEX incident_by_time ON incident (down_at);
                    CREATE INDEX incident_open ON incident (url_id) WHERE up_at IS NULL;
                    CREATE TABLE coverage (
                        id INTEGER PRIMARY KEY, url_id INTEGER NOT NULL, run_id INTEGER NOT NULL,
                        from_t INTEGER NOT NULL, to_t INTEGER);
                    CREATE INDEX coverage_by_url ON coverage (url_id);
                    CREATE INDEX coverage_open ON coverage (run_id, url_id) WHERE to_t IS NULL;
                    """
            )
        }
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE alert_announcement (
                        url TEXT NOT NULL, receiver TEXT NOT NULL, since INTEGER NOT NULL, last_sent INTEGER NOT NULL,
                        PRIMARY KEY (url, receiver)) WITHOUT ROWID;
                    CREATE TABLE alert_outbox (id INTEGER PRIMARY KEY, receiver TEXT NOT NULL, event TEXT NOT NULL);
                    """
            )
        }
        return migrator
    }
}
