import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollStorage
@testable import URLPollTestSupport

/// `postgres://` URLs and password files, parsed without a server.
struct PostgresLocationTests {
    @Test func aURLGivesItsPartsAndNeverShowsThePassword() throws {
        let location = try PostgresLocation(parsing: "postgres://mon%40itor:s3cr%3At@db.internal:6432/urlpoll?sslmode=verify-full")
        #expect(location.username == "mon@itor" && location.password == "s3cr:t")
        #expect(location.host == "db.internal" && location.port == 6432 && location.database == "urlpoll" && location.tls == .verifyFull)
        #expect(location.description == "postgres://mon@itor@db.internal:6432/urlpoll?sslmode=verify-full")
        #expect(!location.description.contains("s3cr"))
        #expect(try Settings.Database(parsing: "postgresql://u:pw@[::1]/d").description == "postgres://u@[::1]:5432/d")
    }

    @Test func theDefaultsAreLibpqs() throws {
        let location = try PostgresLocation(parsing: "postgres://urlpoll@localhost")
        #expect(location.port == 5432 && location.database == "urlpoll" && location.tls == .prefer && location.password == nil)
        let socket = try PostgresLocation(parsing: "postgres://urlpoll@/app?host=/var/run/postgresql")
        #expect(socket.host == nil && socket.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(try PostgresLocation(parsing: "postgres://u@h/d?sslrootcert=/etc/ca.pem").tls == .verifyCA)
    }

    @Test(arguments: [
        ("postgres://db.internal/app", "names no user"),
        ("postgres://u:hunter2@h:99999/app", "port 99999 is out of range"),
        ("postgres://u:hunter2@h/app?sslmode=sometimes", "sslmode \"sometimes\" is not one of disable, prefer, require, verify-ca, verify-full"),
        ("postgres://u:hunter2@h/app?application=x", "unknown parameter \"application\""),
        ("postgres://u:hunter2@/app", "names no host"),
        ("mysql://u:hunter2@h/app", "\"mysql\": not a database urlpoll knows"),
    ])
    func aBadURLIsOneMessageWithoutThePassword(text: String, reason: String) {
        #expect {
            _ = try Settings.Database(parsing: text)
        } throws: { error in
            let message = (error as? InputError)?.message ?? ""
            return message.contains(reason) && !message.contains("hunter2")
        }
    }

    /// The command line: a bad URL or a server that is not there is one line and exit status 64, with
    /// the password nowhere.
    @Test func theCommandLineNeverPrintsThePassword() async throws {
        let bad = try await URLPollProcess.run(["--once", "--database", "postgres://u:hunter2@h/app?sslmode=x", "http://127.0.0.1:9/"])
        #expect(bad.status == 64 && bad.stderr.contains("sslmode \"x\"") && !bad.stderr.contains("hunter2"))
        let port = try await AlertmanagerProcess.freePort()
        let absent = try await URLPollProcess.run([
            "--once", "--database", "postgres://u:hunter2@127.0.0.1:\(port)/app?sslmode=disable", "http://127.0.0.1:9/",
        ])
        #expect(absent.status == 64)
        #expect(absent.stderr.hasPrefix("Error: postgres://u@127.0.0.1:\(port)/app?sslmode=disable: cannot connect to the database ("))
        #expect(!absent.stderr.contains("hunter2") && absent.stderr.split(separator: "\n").count == 1)
    }

    @Test func thePasswordFileMatchesLikeLibpq() throws {
        let file = """
            # host:port:database:user:password
            other:5432:*:urlpoll:wrong
            db.internal:6432:app:urlpoll:pa\\:ss\\\\word
            *:*:*:urlpoll:fallback
            """
        let location = try PostgresLocation(parsing: "postgres://urlpoll@db.internal:6432/app")
        #expect(PostgresLocation.PasswordFile.password(for: location, in: file) == "pa:ss\\word")
        let elsewhere = try PostgresLocation(parsing: "postgres://urlpoll@db2/app")
        #expect(PostgresLocation.PasswordFile.password(for: elsewhere, in: file) == "fallback")
        let stranger = try PostgresLocation(parsing: "postgres://someone@db2/app")
        #expect(PostgresLocation.PasswordFile.password(for: stranger, in: file) == nil)
        // The URL's password first, then PGPASSWORD, then the file PGPASSFILE names.
        let directory = try TemporaryDirectory()
        try file.save(toFile: directory.file("pgpass"))
        #expect(PostgresConnectionSettings.password(for: location, environment: ["PGPASSFILE": directory.file("pgpass")]) == "pa:ss\\word")
        #expect(
            PostgresConnectionSettings.password(for: location, environment: ["PGPASSWORD": "env", "PGPASSFILE": directory.file("pgpass")]) == "env"
        )
        let inURL = try PostgresLocation(parsing: "postgres://urlpoll:url@db.internal:6432/app")
        #expect(PostgresConnectionSettings.password(for: inURL, environment: ["PGPASSWORD": "env"]) == "url")
    }
}

/// A batch's events as row sets, without a database.
struct HistoryBatchPlanTests {
    static func polled(_ seconds: Double, _ health: Health, previous: Health, first: Bool = false, url: String = "u") -> HistoryEvent {
        HistoryStoreTests.polled(url, at: seconds, health, previous: previous, first: first)
    }

    let ids: [String: Int64] = ["u": 1, "v": 2]
    let statuses: [String: Int64] = ["200 OK": 10, "503 Service Unavailable": 11]
    let t0 = ResultEncoding.milliseconds(HistoryStoreTests.start)

    @Test func anOutageWithinTheBatchIsOneWholeRowAndTheStoredOneIsClosedOnce() {
        let plan = HistoryBatchPlan(
            events: [
                Self.polled(0, .up, previous: .down),  // ends the stored outage
                Self.polled(1, .down, previous: .up),
                Self.polled(2, .up, previous: .down),  // ends the batch's own
                Self.polled(3, .down, previous: .up),  // stays open
            ],
            urlIDs: ids,
            statusIDs: statuses,
            lastTimes: [:]
        )
        #expect(plan.incidentCloses == [.init(urlID: 1, time: t0)])
        #expect(
            plan.incidentOpens == [
                .init(urlID: 1, downAt: t0 + 1000, upAt: t0 + 2000, statusID: 11), .init(urlID: 1, downAt: t0 + 3000, upAt: nil, statusID: 11),
            ]
        )
        #expect(plan.results.count == 4 && plan.lastStates.count == 1)
        #expect(
            plan.lastStates[0].added == 4 && plan.lastStates[0].health == ResultEncoding.value(.down) && plan.lastStates[0].checkedAt == t0 + 3000
        )
    }

    @Test func knownTimeClosesTheStoredSpanThenOpensOneARemovalEndsIt() {
        let plan = HistoryBatchPlan(
            events: [
                Self.polled(0, .up, previous: .up, first: true),
                .removed(url: "u", at: HistoryStoreTests.start.addingTimeInterval(5)),
                Self.polled(9, .up, previous: .up, first: true),
                .removed(url: "v", at: HistoryStoreTests.start.addingTimeInterval(9)),
                .removed(url: "never-stored", at: HistoryStoreTests.start),
            ],
            urlIDs: ids,
            statusIDs: statuses,
            lastTimes: [:]
        )
        #expect(plan.coverageCloses == [.init(urlID: 1, time: t0), .init(urlID: 2, time: t0 + 9000)])
        #expect(plan.coverageOpens == [.init(urlID: 1, start: t0, end: t0 + 5000), .init(urlID: 1, start: t0 + 9000, end: nil)])
    }

    @Test func aResultTimeIsUniquePerURL() {
        let plan = HistoryBatchPlan(
            events: [Self.polled(0, .up, previous: .up), Self.polled(0, .up, previous: .up), Self.polled(0, .up, previous: .up, url: "v")],
            urlIDs: ids,
            statusIDs: statuses,
            lastTimes: [1: t0 + 5]
        )
        #expect(plan.results.map(\.time) == [t0 + 6, t0 + 7, t0])
        #expect(plan.lastTimes == [1: t0 + 7, 2: t0])
    }
}

/// The PostgreSQL store against a real throwaway cluster: what only it has (a shared schema set up by
/// whichever instance comes first; a server that is not there).
@Suite(.enabled(if: PostgresCluster.available, "needs PostgreSQL (apt-get install postgresql)"), .timeLimit(.minutes(8)))
struct PostgresStoreTests {
    @Test func instancesStartingAtOnceSetUpTheTablesOnce() async throws {
        let location = try await PostgresCluster.shared().makeDatabase()
        let stores = try await withThrowingTaskGroup(of: PostgresHistoryStore.self) { group in
            for _ in 0..<4 { group.addTask { try await PostgresHistoryStore.open(location) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(stores.count == 4)
        let applied = try await PostgresCluster.shared().psql("SELECT string_agg(id, ',') FROM urlpoll.migration", database: location.database)
        #expect(applied == PostgresSchema.migrations.map(\.id).joined(separator: ","))
        for store in stores { await store.close() }
    }

    @Test func aNewerSchemaIsRefusedAndNothingChanged() async throws {
        let cluster = try await PostgresCluster.shared()
        let location = try await cluster.makeDatabase()
        try await PostgresHistoryStore.open(location).close()
        _ = try await cluster.psql("INSERT INTO urlpoll.migration (id) VALUES ('v999-from-the-future')", database: location.database)
        await #expect {
            _ = try await PostgresHistoryStore.open(location)
        } throws: { error in
            (error as? StoreError)?.message.hasPrefix("\(location): the database was written by a newer urlpoll") == true
        }
        #expect(
            try await cluster.psql("SELECT count(*) FROM urlpoll.migration", database: location.database) == "\(PostgresSchema.migrations.count + 1)"
        )
    }

    /// Two instances committing the first poll of the same outage at the same moment store one incident.
    /// Another instance's transaction (psql here) has opened the incident and not committed yet when this
    /// store writes the same outage's start: the store's insert waits for it, then does nothing. (Without
    /// the unique index it found no committed incident and stored a second one.)
    @Test func anOutageTwoInstancesOpenAtOnceIsOneIncident() async throws {
        let cluster = try await PostgresCluster.shared()
        let location = try await cluster.makeDatabase()
        let store = try await PostgresHistoryStore.open(location)
        let run = try await store.beginRun(at: HistoryStoreTests.start)
        let url = "http://a.test/"
        try await store.write(
            [HistoryStoreTests.polled(url, at: 0, .up, previous: .pending, first: true)],
            run: run,
            aliveAt: HistoryStoreTests.start
        )
        let t0 = ResultEncoding.milliseconds(HistoryStoreTests.start)
        let other = Task {
            try await cluster.psql(
                """
                BEGIN;
                INSERT INTO urlpoll.incident (url_id, down_at, status_id)
                    SELECT id, \(t0 + 9_000), (SELECT min(id) FROM urlpoll.status) FROM urlpoll.url WHERE url = '\(url)';
                SELECT pg_sleep(3);
                COMMIT;
                """,
                database: location.database
            )
        }
        try await Eventually.wait("the other transaction to hold its incident") {
            try await cluster.psql("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'", database: location.database) != "0"
        }
        try await store.write([HistoryStoreTests.polled(url, at: 10, .down, previous: .up, failures: 1)], run: run, aliveAt: HistoryStoreTests.start)
        _ = try await other.value
        let incidents = try await store.incidents(url: url, since: HistoryStoreTests.start, limit: nil)
        #expect(incidents.count == 1)
        #expect(incidents.first?.downAt == HistoryStoreTests.start.addingTimeInterval(9) && incidents.first?.upAt == nil)
        await store.close()
    }

    /// A database that already holds the same outage twice (written before migration v6) keeps the
    /// earliest row and gets the unique index.
    @Test func theMigrationKeepsTheFirstOfTwiceOpenedOutages() async throws {
        let cluster = try await PostgresCluster.shared()
        let location = try await cluster.makeDatabase()
        let store = try await PostgresHistoryStore.open(location)
        let run = try await store.beginRun(at: HistoryStoreTests.start)
        try await store.write(
            ["http://a.test/", "http://b.test/"].map { HistoryStoreTests.polled($0, at: 0, .down, previous: .pending, first: true, failures: 1) },
            run: run,
            aliveAt: HistoryStoreTests.start
        )
        await store.close()
        let t0 = ResultEncoding.milliseconds(HistoryStoreTests.start)
        _ = try await cluster.psql(
            """
            DELETE FROM urlpoll.migration WHERE id = 'v6';
            DROP INDEX urlpoll.incident_open;
            CREATE INDEX incident_open ON urlpoll.incident (url_id) WHERE up_at IS NULL;
            INSERT INTO urlpoll.incident (url_id, down_at, status_id) SELECT url_id, down_at + 5000, status_id FROM urlpoll.incident;
            INSERT INTO urlpoll.incident (url_id, down_at, up_at, status_id) SELECT url_id, \(t0 - 60_000), \(t0 - 30_000), status_id
                FROM urlpoll.incident WHERE down_at = \(t0 + 5000);
            """,
            database: location.database
        )
        #expect(try await cluster.psql("SELECT count(*) FROM urlpoll.incident WHERE up_at IS NULL", database: location.database) == "4")

        let upgraded = try await PostgresHistoryStore.open(location)
        let open = try await cluster.psql(
            "SELECT string_agg(url_id || ':' || (down_at - \(t0)), ',' ORDER BY url_id) FROM urlpoll.incident WHERE up_at IS NULL",
            database: location.database
        )
        #expect(open == "1:0,2:0")
        #expect(try await cluster.psql("SELECT count(*) FROM urlpoll.incident WHERE up_at IS NOT NULL", database: location.database) == "2")
        #expect(
            try await cluster.psql(
                "SELECT indexdef LIKE 'CREATE UNIQUE%' FROM pg_indexes WHERE indexname = 'incident_open'",
                database: location.database
            ) == "t"
        )
        await upgraded.close()
    }

    @Test func aServerThatIsNotThereIsOneMessageWithoutThePassword() async throws {
        let port = try await AlertmanagerProcess.freePort()
        let location = try PostgresLocation(parsing: "postgres://urlpoll:hunter2@127.0.0.1:\(port)/app?sslmode=disable")
        await #expect {
            _ = try await PostgresHistoryStore.open(location, connectTimeout: .seconds(10))
        } throws: { error in
            let message = (error as? StoreError)?.message ?? ""
            return message.hasPrefix("postgres://urlpoll@127.0.0.1:\(port)/app?sslmode=disable: cannot connect to the database (")
                && !message.contains("hunter2")  // refused, or (a port another test took meanwhile) reset
        }
    }

    @Test func readingADatabaseWithoutHistoryChangesNothing() async throws {
        let cluster = try await PostgresCluster.shared()
        let location = try await cluster.makeDatabase()
        await #expect {
            _ = try await PostgresHistoryStore.open(location, readOnly: true)
        } throws: { error in
            (error as? StoreError)?.message == "\(location): no urlpoll history in this database (urlpoll writes it while it runs; see --database)"
        }
        #expect(try await cluster.psql("SELECT count(*) FROM pg_namespace WHERE nspname = 'urlpoll'", database: location.database) == "0")
    }

    /// TLS as the URL asks for it, against a server whose certificate a test CA signed for 127.0.0.1:
    /// `verify-full` with that CA connects (and the server sees TLS), with another CA it is refused in
    /// one line naming the database; `require` encrypts without verifying.
    @Test func tlsIsUsedAndVerifiedAsTheURLAsks() async throws {
        // A private cluster: it takes turns with the test that restarts its own on the same port, so
        // that neither gets the other's port between a stop and a start.
        try await ExclusiveTests.run {
            let pki = try TestPKI()
            let cluster = try await PostgresCluster.start(pki: pki)
            let database = try await cluster.makeDatabase().database
            let files = try TemporaryDirectory()
            try pki.writeFiles(into: files)
            try TestPKI().caCertificate.serializeAsPEM().pemString.save(toFile: files.file("other-ca.pem"))
            let base = "postgres://urlpoll@127.0.0.1:\(cluster.port)/\(database)"
            let verified = try await PostgresHistoryStore.open(
                try PostgresLocation(parsing: "\(base)?sslmode=verify-full&sslrootcert=\(files.file("ca.pem"))")
            )
            _ = try await verified.beginRun(at: Date())
            #expect(
                try await cluster.psql(
                    "SELECT count(*) FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE s.ssl AND a.datname = '\(database)' AND a.pid <> pg_backend_pid()",
                    database: database
                ) != "0"
            )
            await verified.close()
            let strangerCA = try PostgresLocation(parsing: "\(base)?sslmode=verify-full&sslrootcert=\(files.file("other-ca.pem"))")
            await #expect {
                _ = try await PostgresHistoryStore.open(strangerCA, connectTimeout: .seconds(10))
            } throws: { error in
                let message = (error as? StoreError)?.message ?? ""
                return message.hasPrefix("\(strangerCA): cannot connect to the database (") && !message.contains("\n")
            }
            let encrypted = try await PostgresHistoryStore.open(try PostgresLocation(parsing: "\(base)?sslmode=require"))
            await encrypted.close()
            try await cluster.stop("immediate")
        }
    }

    /// The real binary: two runs keep their results in PostgreSQL, the second restores the first's
    /// state, and `history`/`incidents` read them back.
    @Test func runsKeepTheirHistoryInPostgreSQL() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.shared()
            let location = try await cluster.makeDatabase()
            let url = cluster.url(database: location.database)
            try await MisbehavingTarget.with(.answers(CannedResponses.serviceUnavailable)) { failing in
                try await MisbehavingTarget.with(.keepAlive) { healthy in
                    for _ in 0..<2 {
                        let run = try await URLPollProcess.run(["--once", "--database", url, healthy.url, failing.url])
                        #expect(run.status == 1)  // --once: not every URL is up
                    }
                    let history = try await URLPollProcess.run(["history", failing.url, "--database", url])
                    #expect(history.status == 0)
                    #expect(history.stdout.hasPrefix("\(failing.url): 2 results since "))
                    #expect(history.stdout.contains("ongoing") && history.stdout.contains("503 Service Unavailable"))
                    let incidents = try await URLPollProcess.run(["incidents", "--database", url, "--format", "csv"])
                    #expect(incidents.stdout.hasPrefix("url,down_at,up_at,duration_s,status\n\(failing.url),"))
                    #expect(incidents.stdout.split(separator: "\n").count == 2, "one outage over both runs: the second restored the first's state")
                    #expect(
                        try await cluster.psql("SELECT count(*) FROM urlpoll.run WHERE stopped_at IS NOT NULL", database: location.database) == "2"
                    )
                }
            }
        }
    }

    /// A second instance on the same database says at start that it shares the schedule.
    @Test func aSecondInstanceSaysItSharesTheSchedule() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.shared()
            let location = try await cluster.makeDatabase()
            let url = cluster.url(database: location.database)
            try await MisbehavingTarget.with(.keepAlive) { target in
                let first = try URLPollProcess.start(["--interval", "200ms", "--database", url, "--status-interval", "1h", target.url])
                try await first.waitForLog { $0.contains("history: \(location) opened") }
                try await Eventually.wait("the first run's first batch") {
                    (try? await cluster.psql("SELECT count(*) FROM urlpoll.result", database: location.database)) != "0"
                }
                let second = try await URLPollProcess.run(["--duration", "1s", "--quiet", "--database", url, target.url])
                #expect(second.status == 0)
                #expect(second.stderr.contains("history: sharing the schedule of \(location) with 1 other live urlpoll instance(s)"))
                first.signal(SIGTERM)
                #expect(try await first.finish().status == 0)
                #expect(!(try await first.finish().stderr.contains("other live urlpoll instance")))
            }
        }
    }

    /// PostgreSQL restarts under a running instance: polling goes on (results wait in the outbox), the
    /// pool reconnects, and every poll's result reaches the database; none is lost.
    /// Stopped while the server is away, urlpoll ends in bounded time (each write then gets 5 s, two
    /// attempts, and closing the run 5 s; `finish` allows 30 s), with status 0, saying how many results it
    /// could not store.
    @Test func aStopWhileTheServerIsAwayEndsInTime() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.start()
            let location = try await cluster.makeDatabase()
            let results = { try await cluster.psql("SELECT count(*) FROM urlpoll.result", database: location.database) }
            try await MisbehavingTarget.with(.keepAlive) { target in
                let instance = try URLPollProcess.start([
                    "--interval", "50ms", "--database", cluster.url(database: location.database), "--status-interval", "1h", "--quiet", target.url,
                ])
                try await Eventually.wait("results in the database") { (Int((try? await results()) ?? "0") ?? 0) >= 5 }
                try await cluster.stop("fast")
                let before = target.counters.requests.load(ordering: .relaxed)
                await target.counters.waitForAnswers(before + 10)  // results queue while the server is away
                instance.signal(SIGTERM)
                let finished = try await instance.finish()
                #expect(finished.status == 0)
                #expect(finished.stderr.contains("history: giving up at shutdown;"), "\(finished.stderr)")
                #expect(finished.stderr.contains("results are not stored"))
            }
        }
    }

    @Test func aRestartOfTheServerLosesNothing() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.start()
            let location = try await cluster.makeDatabase()
            let url = cluster.url(database: location.database)
            let results = { try await cluster.psql("SELECT count(*) FROM urlpoll.result", database: location.database) }
            try await MisbehavingTarget.with(.keepAlive) { target in
                let stats = try TemporaryDirectory()
                let instance = try URLPollProcess.start([
                    "--interval", "50ms", "--database", url, "--status-interval", "1h", "--quiet", "--stats", stats.file("stats.json"), target.url,
                ])
                try await Eventually.wait("results in the database") { (Int((try? await results()) ?? "0") ?? 0) >= 5 }
                try await cluster.stop("fast")
                // Polling goes on while the server is down.
                let before = target.counters.requests.load(ordering: .relaxed)
                await target.counters.waitForAnswers(before + 20)
                try await cluster.startServer()
                let polledDuringTheOutage = target.counters.requests.load(ordering: .relaxed)
                // postgres-nio retries connecting with a growing back-off while the server is away: allow it.
                do {
                    try await Eventually.wait("the results of the outage written after the restart", timeout: .seconds(60)) {
                        (Int((try? await results()) ?? "0") ?? 0) >= polledDuringTheOutage
                    }
                } catch {
                    Issue.record("\(error); the instance logged: \(instance.stderr)")
                    instance.signal(SIGKILL)  // never left running after the test
                    throw error
                }
                instance.signal(SIGTERM)
                let finished = try await instance.finish()
                #expect(finished.status == 0)
                let summary =
                    try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stats.file("stats.json")))) as? [String: Any]
                let polls = try #require(summary?["polls"] as? Int)
                #expect(try await results() == "\(polls)", "every poll's result is in the database")
            }
            try await cluster.stop("immediate")
        }
    }
}
