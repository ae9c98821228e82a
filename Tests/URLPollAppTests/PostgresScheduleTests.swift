import Foundation
import Testing

@testable import URLPollCore
@testable import URLPollStorage
@testable import URLPollTestSupport

/// Several real urlpoll processes on one PostgreSQL database: they share the schedule (each URL polled
/// by one of them, once per interval), survive `kill -9` of one of them, and announce each event once.
@Suite(.enabled(if: PostgresCluster.available, "needs PostgreSQL (apt-get install postgresql)"), .timeLimit(.minutes(8)))
struct PostgresScheduleTests {
    /// Runs `body`; when it throws, records the last lines each instance logged first.
    func reportingLogs(of instances: [URLPollProcess], _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            for instance in instances { Issue.record("\(instance.stderr.suffix(3000))") }
            throw error
        }
    }

    /// Stops every instance with SIGTERM, expects each to exit 0, and forgets them (nothing is left to kill).
    func stop(_ instances: inout [URLPollProcess]) async throws {
        for instance in instances { instance.signal(SIGTERM) }
        for instance in instances { #expect(try await instance.finish().status == 0) }
        instances.removeAll()
    }

    /// The store alone: two runs claiming the same URLs get each at most once; a release with an old
    /// token frees nothing; a URL is due again when its release says.
    @Test func claimsAreExclusiveAndReleasesNeedTheCurrentToken() async throws {
        let location = try await PostgresCluster.shared().makeDatabase()
        let store = try await PostgresHistoryStore.open(location)
        let (one, two) = (try await store.beginRun(at: Date()), try await store.beginRun(at: Date()))
        let urls = (0..<10).map { "http://127.0.0.1:9/\($0)" }
        let requests = urls.map { ClaimRequest(url: $0, sleep: .seconds(60), lease: .seconds(30)) }
        async let first = store.exchange(claims: requests, releases: [], run: one)
        async let second = store.exchange(claims: requests, releases: [], run: two)
        let answers = try await [first, second]
        #expect(answers[0].claimed.count + answers[1].claimed.count == 10, "each URL claimed once")
        #expect(Set(answers[0].claimed.keys).isDisjoint(with: answers[1].claimed.keys))
        let url = urls[0]
        let holder = answers[0].claimed[url] != nil ? one : two
        let token = try #require(answers[0].claimed[url] ?? answers[1].claimed[url]).token
        // Held: not claimable, and the wait is the lease's or the due time's (both 30 s or more here).
        let held = try await store.exchange(claims: [requests[0]], releases: [], run: holder == one ? two : one)
        #expect(held.claimed.isEmpty && (held.deferred[url] ?? .zero) > .seconds(25))
        // A stale token releases nothing; the current one frees the URL, due at once with 2 failures.
        _ = try await store.exchange(claims: [], releases: [LeaseRelease(url: url, token: token - 1, wait: .zero, failures: 7)], run: holder)
        #expect(try await store.exchange(claims: [requests[0]], releases: [], run: holder).claimed.isEmpty)
        _ = try await store.exchange(claims: [], releases: [LeaseRelease(url: url, token: token, wait: .zero, failures: 2)], run: holder)
        let again = try await store.exchange(claims: [requests[0]], releases: [], run: two)
        #expect(again.claimed[url] == .init(token: token + 1, failures: 2))
        await store.close()
    }

    /// Two instances that decide the same event (each its own tracker) store it once: the one whose
    /// announcement change the database took sends it. A dead instance's undelivered alerts go to the
    /// next that asks, a live one's never.
    @Test func twoInstancesDecidingOneEventAnnounceItOnce() async throws {
        let location = try await PostgresCluster.shared().makeDatabase()
        let (a, b) = (try await PostgresHistoryStore.open(location), try await PostgresHistoryStore.open(location))
        let runA = try await a.beginRun(at: Date())
        _ = try await b.beginRun(at: Date())
        func event(_ kind: AlertEvent.Kind, at seconds: TimeInterval) -> AlertEvent {
            let start = Date(timeIntervalSince1970: 1_800_000_000)
            return AlertEvent(
                kind: kind,
                receiver: "ops",
                url: "https://a.example/",
                name: nil,
                status: "503",
                code: 503,
                since: start,
                failures: 3,
                decidedAt: start + seconds
            )
        }
        func bothDecide(_ event: AlertEvent) async throws -> (a: [PendingDelivery], b: [PendingDelivery]) {
            async let byA = a.save(AlertTracker.Changes(), queued: [PendingDelivery(id: 1, event: event)])
            async let byB = b.save(AlertTracker.Changes(), queued: [PendingDelivery(id: 1, event: event)])
            return try await (byA, byB)
        }
        for (kind, at) in [(AlertEvent.Kind.down, 5.0), (.reminder, 65), (.reminder, 65.5), (.recovered, 90)] {
            let (byA, byB) = try await bothDecide(event(kind, at: at))
            #expect(byA.count + byB.count == (at == 65.5 ? 0 : 1), "\(kind) at \(at): sent once (a reminder once per repeat)")
        }
        #expect(try await b.announcements().isEmpty, "the recovery ended the announcement for both")
        // A's undelivered alerts stay A's while it lives, and go to B once it stopped.
        let held = try await a.save(AlertTracker.Changes(), queued: [PendingDelivery(id: 1, event: event(.down, at: 100))])
        #expect(held.count == 1)
        #expect(try await b.takeOrphanedDeliveries().isEmpty)
        try await a.endRun(runA, at: Date())
        let orphans = try await b.takeOrphanedDeliveries()
        #expect(orphans.map(\.id).contains(held[0].id))
        await a.close()
        await b.close()
    }

    /// Three instances share 30 URLs at a 2 s interval: every URL polled, never twice within the
    /// interval (the results' times in the database); the first is `kill -9`ed and its URLs are polled
    /// again within one interval plus one lease by the others.
    @Test func threeInstancesShareTheURLsAndSurviveAKill() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.shared()
            let location = try await cluster.makeDatabase()
            let database = cluster.url(database: location.database)
            let sql = { (query: String) in try await cluster.psql(query, database: location.database) }
            try await SwitchTarget.with { target in
                let names = (0..<30).map { "u\($0)" }
                let urls = names.map(target.url)
                let arguments = ["--interval", "2s", "--timeout", "1s", "--database", database, "--status-interval", "1h", "--quiet"] + urls
                var instances: [URLPollProcess] = []
                defer { for instance in instances { instance.signal(SIGKILL) } }
                // The one to be killed starts first, so that it holds URLs when it dies.
                instances.append(try URLPollProcess.start(arguments))
                try await Eventually.wait("its first results", timeout: .seconds(60)) {
                    (Int((try? await sql("SELECT count(*) FROM urlpoll.result")) ?? "0") ?? 0) >= 1
                }
                for _ in 0..<2 { instances.append(try URLPollProcess.start(arguments)) }
                try await Eventually.wait("three rounds of results", timeout: .seconds(60)) {
                    (Int((try? await sql("SELECT count(*) FROM urlpoll.result")) ?? "0") ?? 0) >= 90
                }
                instances[0].signal(SIGKILL)
                let killedAt = ResultEncoding.milliseconds(Date())
                try await Eventually.wait("every URL polled after the kill", timeout: .seconds(60)) {
                    try await sql("SELECT count(DISTINCT url_id) FROM urlpoll.result WHERE t > \(killedAt)") == "30"
                }
                let slowest = try await sql(
                    "SELECT max(first) FROM (SELECT min(t) - \(killedAt) AS first FROM urlpoll.result WHERE t > \(killedAt) GROUP BY url_id) x"
                )
                let lease = LeaseRules().lease(timeout: .seconds(1))
                #expect((Int64(slowest) ?? .max) <= (Duration.seconds(2) + lease + .seconds(1)).wholeMilliseconds, "taken over in \(slowest) ms")
                for instance in instances.dropFirst() { instance.signal(SIGTERM) }
                for instance in instances.dropFirst() { #expect(try await instance.finish().status == 0) }
                instances.removeAll()
                // No URL polled twice within the interval: consecutive results of a URL are 2 s apart or more.
                let tooClose = try await sql(
                    """
                    SELECT count(*) FROM (SELECT t - lag(t) OVER (PARTITION BY url_id ORDER BY t) AS gap FROM urlpoll.result) x
                    WHERE gap < 2000
                    """
                )
                #expect(tooClose == "0")
                // The same at the server: the requests of each URL as they arrived are 2 s apart or more
                // (less 50 ms for the test's own clock reading them).
                for name in names {
                    let arrivals = target.polls(name)
                    let closest = zip(arrivals, arrivals.dropFirst()).map { $1 - $0 }.min() ?? .seconds(2)
                    #expect(closest >= .milliseconds(1950), "\(name): two requests \(closest) apart")
                }
                #expect(try await sql("SELECT count(DISTINCT url_id) FROM urlpoll.result") == "30")
                let runs = try await sql("SELECT count(DISTINCT run_id) FROM urlpoll.coverage")
                #expect((Int(runs) ?? 0) >= 2, "the first instance and at least one that took over polled: \(runs)")
            }
        }
    }

    /// Two instances sharing 12 URLs: each one's `/api/status` shows every URL up (the other's polls
    /// included), its `/metrics` (read by the Prometheus client's parser) both instances' figures, and
    /// `/api/instances` their polls and leases.
    @Test(.enabled(if: Tool.hasPrometheusClient || Tool.required, "needs python3 with prometheus_client"))
    func anyInstanceShowsTheWholeFleet() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.shared()
            let location = try await cluster.makeDatabase()
            let database = cluster.url(database: location.database)
            try await MisbehavingTarget.with(.keepAlive) { target in
                let urls = (0..<12).map { "\(target.url)?u=\($0)" }
                var instances: [URLPollProcess] = []
                defer { for instance in instances { instance.signal(SIGKILL) } }
                var bases: [String] = []
                for name in ["east", "west"] {
                    let process = try URLPollProcess.start(
                        ["--listen", "127.0.0.1:0", "--interval", "1s", "--database", database, "--location", name, "--quiet"] + urls
                    )
                    instances.append(process)
                    try await process.waitForLog { $0.contains("serving the status page on http://127.0.0.1:") }
                    let line = try #require(process.stderr.split(separator: "\n").first { $0.contains("serving the status page on ") })
                    bases.append(String(line[line.range(of: "http://")!.lowerBound...]).trimmingCharacters(in: .whitespaces))
                }
                for base in bases {
                    try await Eventually.wait("every URL up on \(base)", timeout: .seconds(30)) {
                        try await HTTPGet.text(base + "api/status").contains("\"up\":12,\"down\":0,\"pending\":0")
                    }
                }
                // Heartbeats every 10 s carry the figures: wait for both instances' figures, together at
                // least one poll of every URL. The work goes to whichever instance asks first when a URL
                // falls due, so one of them may have polled nothing yet (docs/postgresql.md).
                try await Eventually.wait("both instances' figures", timeout: .seconds(30)) {
                    let listed = try await HTTPGet.text(bases[0] + "api/instances")
                    let polls = listed.components(separatedBy: "\"polls\":").dropFirst().map { Int($0.prefix { $0.isNumber }) ?? 0 }
                    return polls.count == 2 && polls.reduce(0, +) >= urls.count
                }
                let parsed = try #require(await Tool.run("/usr/bin/env", ["python3", Tool.script("parse_metrics.py"), bases[1] + "metrics"]))
                #expect(parsed.status == 0, "parser failed: \(parsed.stderr)")
                let families = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: [String: Any]])
                let samples = families["urlpoll_instance_polls"]?["samples"] as? [[Any]] ?? []
                let byLocation = Dictionary(
                    samples.compactMap { sample -> (String, Double)? in
                        guard let labels = sample[1] as? [String: String], let value = sample[2] as? Double else { return nil }
                        return (labels["location"] ?? "", value)
                    },
                    uniquingKeysWith: { first, _ in first }
                )
                #expect(Set(byLocation.keys) == ["east", "west"] && byLocation.values.reduce(0, +) >= Double(urls.count), "\(byLocation)")
                #expect(families["urlpoll_instance_claim_round_trips"]?["type"] as? String == "counter")
                #expect(families["urlpoll_instance_leases_held"]?["type"] as? String == "gauge")
                try await stop(&instances)
            }
        }
    }

    /// One outage of a URL that three instances poll: the instance that announced `down` is killed
    /// (`kill -9`) mid-outage, and another announces `recovered`: one of each reaches the receiver.
    @Test func threeInstancesAnnounceAnOutageOnce() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.shared()
            let location = try await cluster.makeDatabase()
            let database = cluster.url(database: location.database)
            try await SwitchTarget.with(down: ["flaky"]) { target in
                try await WebhookSink.with { sink in
                    let urls = (["flaky"] + (0..<8).map { "ok\($0)" }).map { "\"\(target.url($0))\"" }.joined(separator: ", ")
                    var instances: [String: URLPollProcess] = [:]
                    var configs: [TemporaryFile] = []  // kept until the end: an instance reads its file at start and at reloads
                    defer { for instance in instances.values { instance.signal(SIGKILL) } }
                    for name in ["i1", "i2", "i3"] {
                        let config = try TemporaryFile(
                            """
                            instance: \(name)
                            interval: 300ms
                            recheck-interval: 100ms
                            error-backoff: 100ms
                            max-backoff: 200ms
                            alerts:
                              - name: ops
                                webhook: { url: "\(sink.url("/hook"))" }
                            urls: [\(urls)]

                            """
                        )
                        configs.append(config)
                        instances[name] = try URLPollProcess.start(
                            ["-c", config.path, "--database", database, "--timeout", "1s", "--status-interval", "1h", "--quiet"]
                        )
                    }
                    do {
                        try await sink.wait(timeout: .seconds(60)) { $0.contains { $0.json["event"] as? String == "down" } }
                    } catch {
                        for (name, instance) in instances { Issue.record("\(name): \(instance.stderr.suffix(3000))") }
                        throw error
                    }
                    let announcer = try #require(sink.log.all.first?.json["instance"] as? String)
                    instances.removeValue(forKey: announcer)?.signal(SIGKILL)
                    // Its lease ends (2 × 1 s + 10 s) and another instance polls the URL, still down.
                    let seen = target.polls("flaky").count
                    try await target.waitForPolls("flaky", atLeast: seen + 10)
                    target.setDown("flaky", false)
                    try await sink.wait(timeout: .seconds(60)) { $0.contains { $0.json["event"] as? String == "recovered" } }
                    try await target.waitForPolls("flaky", atLeast: target.polls("flaky").count + 10)
                    for instance in instances.values { instance.signal(SIGTERM) }
                    for instance in instances.values { _ = try await instance.finish() }
                    instances.removeAll()
                    #expect(configs.count == 3)
                    let events = sink.log.all.map { "\($0.json["event"] as? String ?? "?")" }
                    #expect(events == ["down", "recovered"], "\(events)")
                    #expect(sink.log.all.last?.json["instance"] as? String != announcer, "the recovery came from a survivor")
                }
            }
        }
    }

    /// Two locations, one instance each, a URL with `quorum: 2` and one without: the quorum URL is
    /// polled from both locations each interval, the other from one; down at one location only, the
    /// quorum URL stays up (both instances show who sees what); down at both, it is down, announced
    /// once, and recovered once.
    @Test func aQuorumOfTwoLocations() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.shared()
            let name = try await cluster.makeDatabase().database
            let database = cluster.url(database: name)
            try await SwitchTarget.with { target in
                try await WebhookSink.with { sink in
                    var instances: [URLPollProcess] = []
                    var configs: [TemporaryFile] = []
                    defer { for instance in instances { instance.signal(SIGKILL) } }
                    var bases: [String] = []
                    for location in ["east", "west"] {
                        let config = try TemporaryFile(
                            """
                            instance: \(location)-1
                            location: \(location)
                            interval: 1s
                            recheck-interval: 200ms
                            defaults:
                              headers: { X-Location: \(location) }
                            alerts:
                              - name: ops
                                webhook: { url: "\(sink.url("/hook"))" }
                            urls:
                              - url: "\(target.url("q"))"
                                quorum: 2
                              - "\(target.url("plain"))"

                            """
                        )
                        configs.append(config)
                        let process = try URLPollProcess.start(
                            ["-c", config.path, "--database", database, "--listen", "127.0.0.1:0", "--timeout", "1s", "--quiet"]
                        )
                        instances.append(process)
                        try await process.waitForLog { $0.contains("serving the status page on http://127.0.0.1:") }
                        let line = try #require(process.stderr.split(separator: "\n").first { $0.contains("serving the status page on ") })
                        bases.append(String(line[line.range(of: "http://")!.lowerBound...]).trimmingCharacters(in: .whitespaces))
                    }
                    let id = StableID.of(target.url("q"))
                    func detail(_ base: String) async throws -> [String: Any] {
                        let text = try await HTTPGet.text(base + "api/urls/\(id)")
                        return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]) ?? [:]
                    }
                    func seen(_ json: [String: Any]) -> [String: String] {
                        let views = json["locations"] as? [[String: Any]] ?? []
                        return Dictionary(views.map { ($0["location"] as? String ?? "", $0["state"] as? String ?? "") }) { first, _ in first }
                    }
                    try await reportingLogs(of: instances) {
                        // Both locations poll the quorum URL each second; the plain one is polled once a second in all.
                        try await target.waitForPolls("q@east", atLeast: 2)
                        try await target.waitForPolls("q@west", atLeast: 2)
                        let before = (target.polls("q@east").count, target.polls("q@west").count, target.polls("plain").count)
                        _ = try await target.pollCount("q", during: .seconds(5))
                        let east = target.polls("q@east").count - before.0
                        let west = target.polls("q@west").count - before.1
                        let plain = target.polls("plain").count - before.2
                        #expect((3...7).contains(east) && (3...7).contains(west), "quorum URL in 5 s: east \(east), west \(west)")
                        #expect((3...7).contains(plain), "plain URL in 5 s from both locations together: \(plain)")

                        // Down from east only: up everywhere, and both instances show east's view.
                        target.setDown("q@east", true)
                        for base in bases {
                            try await Eventually.wait("east's view on \(base)", timeout: .seconds(30)) {
                                seen(try await detail(base)) == ["east": "down", "west": "up"]
                            }
                            #expect(try await detail(base)["state"] as? String == "up")
                        }
                        try await target.waitForPolls("q@west", atLeast: target.polls("q@west").count + 3)
                        let early = sink.log.all.map { $0.json["event"] as? String ?? "?" }
                        #expect(early.isEmpty, "one location is not a quorum of two: \(early)")

                        // Down from both: down, announced once.
                        target.setDown("q@west", true)
                        try await sink.wait(timeout: .seconds(30)) { $0.contains { $0.json["event"] as? String == "down" } }
                        for base in bases {
                            try await Eventually.wait("down on \(base)", timeout: .seconds(30)) {
                                try await detail(base)["state"] as? String == "down"
                            }
                        }
                        let page = try await HTTPGet.text(bases[1] + "urls/\(id)")
                        #expect(page.contains("Seen from each location") && page.contains("<th>east</th>") && page.contains("<th>west</th>"))
                        let statusPage = try await HTTPGet.text(bases[0])
                        #expect(statusPage.contains("class=\"seen down\"") && statusPage.contains(">east: down</span>"))

                        // Back at both: recovered, once.
                        target.setDown("q@east", false)
                        target.setDown("q@west", false)
                        try await sink.wait(timeout: .seconds(30)) { $0.contains { $0.json["event"] as? String == "recovered" } }
                        try await target.waitForPolls("q@east", atLeast: target.polls("q@east").count + 3)
                        try await target.waitForPolls("q@west", atLeast: target.polls("q@west").count + 3)
                    }
                    try await stop(&instances)
                    #expect(configs.count == 2)
                    let events = sink.log.all.map { $0.json["event"] as? String ?? "?" }
                    #expect(events == ["down", "recovered"], "\(events)")
                    let incidents = try await cluster.psql("SELECT count(*), count(up_at) FROM urlpoll.incident", database: name)
                    #expect(incidents == "1|1", "one outage, stored once and closed: \(incidents)")
                }
            }
        }
    }

    /// PostgreSQL restarts under three instances sharing 12 URLs: they keep polling their shares while
    /// it is away, claim again once it is back (every URL's claim token rises after the restart), and
    /// every poll's result reaches the database.
    @Test func threeInstancesSurviveARestartOfTheServer() async throws {
        try await ExclusiveTests.run {
            let cluster = try await PostgresCluster.start()
            let name = try await cluster.makeDatabase().database
            let database = cluster.url(database: name)
            let results = { Int((try? await cluster.psql("SELECT count(*) FROM urlpoll.result", database: name)) ?? "0") ?? 0 }
            try await SwitchTarget.with { target in
                let names = (0..<12).map { "u\($0)" }
                let stats = try TemporaryDirectory()
                var instances: [URLPollProcess] = []
                defer { for instance in instances { instance.signal(SIGKILL) } }
                for index in 0..<3 {
                    instances.append(
                        try URLPollProcess.start(
                            [
                                "--interval", "1s", "--database", database, "--status-interval", "1h", "--quiet", "--stats",
                                stats.file("\(index).json"),
                            ]
                                + names.map(target.url)
                        )
                    )
                }
                try await reportingLogs(of: instances) {
                    try await Eventually.wait("results in the database", timeout: .seconds(30)) { await results() >= 24 }
                    // Each URL's claim token as the server goes away: a claim after the restart raises it.
                    _ = try await cluster.psql("CREATE TABLE public.before AS SELECT url_id, token FROM urlpoll.schedule", database: name)
                    try await cluster.stop("fast")
                    let before = names.map { target.polls($0).count }.reduce(0, +)
                    try await Eventually.wait("polls while the server is away", timeout: .seconds(30)) {
                        names.map { target.polls($0).count }.reduce(0, +) >= before + 12
                    }
                    try await cluster.startServer()
                    // Claims work again: every URL is claimed after the restart (postgres-nio reconnects
                    // with a back-off; during the outage each instance polled its share without claims).
                    try await Eventually.wait("every URL claimed after the restart", timeout: .seconds(90)) {
                        let claimed = try? await cluster.psql(
                            "SELECT count(*) FROM urlpoll.schedule s JOIN public.before b USING (url_id) WHERE s.token > b.token",
                            database: name
                        )
                        return claimed == "12"
                    }
                }
                try await stop(&instances)
                var polls = 0
                for index in 0..<3 {
                    let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stats.file("\(index).json"))))
                    polls += try #require((summary as? [String: Any])?["polls"] as? Int)
                }
                #expect(await results() == polls, "every poll's result is in the database")
            }
            try await cluster.stop("immediate")
        }
    }
}
