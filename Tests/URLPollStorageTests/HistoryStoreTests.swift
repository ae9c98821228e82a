import Crypto
import Foundation
import GRDB
import Testing

@testable import URLPollCore
@testable import URLPollStorage
@testable import URLPollTestSupport

/// The history stores: the SQLite one on real files in temporary directories, and (the same tests, run
/// for each ``StoreKind``) the PostgreSQL one in a real throwaway cluster.
@Suite(.timeLimit(.minutes(1)))
struct HistoryStoreTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func polled(
        _ url: String,
        at seconds: Double,
        _ health: Health,
        previous: Health,
        first: Bool = false,
        status: String? = nil,
        failures: Int = 0,
        latency: Duration = .milliseconds(20)
    ) -> HistoryEvent {
        .polled(
            PollRecord(
                url: TargetURL(url),
                checkedAt: start.addingTimeInterval(seconds),
                health: health,
                previous: previous,
                isFirstInRun: first,
                code: health == .up ? 200 : 503,
                latency: latency,
                status: status ?? (health == .up ? "200 OK" : "503 Service Unavailable"),
                method: .head,
                consecutiveFailures: failures,
                since: start
            )
        )
    }

    static func sha256(_ path: String) throws -> String {
        SHA256.hash(data: try Data(contentsOf: URL(fileURLWithPath: path))).map { String(format: "%02x", $0) }.joined()
    }

    @Test func aNewDatabaseGetsTheSchemaAndOpensAgain() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("history.sqlite")
        let store = try await SQLiteHistoryStore.open(path: path)
        let counts = try await store.counts()
        #expect(counts.values.allSatisfy { $0 == 0 } && counts.count == 8)
        try await store.close()
        // Opening again finds every migration applied and changes nothing.
        let again = try await SQLiteHistoryStore.open(path: path)
        try await again.close()
        let queue = try DatabaseQueue(path: path)
        let applied = try await queue.read { db in try HistorySchema.migrator.appliedIdentifiers(db) }
        #expect(applied == Set(HistorySchema.migrator.migrations))
    }

    /// Each earlier state of the schema (the database as an older urlpoll left it) is brought up to date.
    @Test func everyEarlierSchemaIsMigrated() async throws {
        let migrations = HistorySchema.migrator.migrations
        for earlier in migrations.dropLast() {
            let directory = try TemporaryDirectory()
            let path = directory.file("history.sqlite")
            try HistorySchema.migrator.migrate(try DatabaseQueue(path: path), upTo: earlier)
            let store = try await SQLiteHistoryStore.open(path: path)
            try await store.close()
            let applied = try await DatabaseQueue(path: path).read { db in try HistorySchema.migrator.appliedIdentifiers(db) }
            #expect(applied == Set(migrations), "from \(earlier)")
        }
    }

    @Test func aNewerSchemaIsRefusedAndTheFileLeftAlone() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("history.sqlite")
        try await SQLiteHistoryStore.open(path: path).close()
        let queue = try DatabaseQueue(path: path)
        try await queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v999-from-the-future')") }
        try queue.close()
        let before = try Self.sha256(path)
        await #expect {
            _ = try await SQLiteHistoryStore.open(path: path)
        } throws: { error in
            (error as? StoreError)?.message.hasPrefix("\(path): the history database was written by a newer urlpoll") == true
        }
        #expect(try Self.sha256(path) == before)
    }

    @Test(arguments: [
        ("/nonexistent-\(UUID().uuidString)/history.sqlite", "no such directory"),
        ("/etc/hostname/history.sqlite", "no such directory"),
        ("/proc/history.sqlite", "cannot open the history database"),
    ])
    func anUnusablePathIsOneMessageNamingIt(path: String, reason: String) async {
        await #expect {
            _ = try await SQLiteHistoryStore.open(path: path)
        } throws: { error in
            guard let message = (error as? StoreError)?.message else { return false }
            return message.hasPrefix(path + ": ") && message.contains(reason)
        }
    }

    @Test(arguments: StoreKind.available)
    func aBatchKeepsResultsLastStatesOutagesAndKnownTime(kind: StoreKind) async throws {
        try await kind.withPlace { place in
            let store = try await place.open()
            let run = try await store.beginRun(at: Self.start)
            let a = "http://a.test/"
            let b = "http://b.test/"
            try await store.write(
                [
                    Self.polled(a, at: 0, .up, previous: .pending, first: true),
                    Self.polled(b, at: 0, .down, previous: .pending, first: true, failures: 1),
                    Self.polled(a, at: 10, .down, previous: .up, failures: 1),
                    Self.polled(a, at: 20, .down, previous: .down, status: "timed out after 10s", failures: 2),
                ],
                run: run,
                aliveAt: Self.start.addingTimeInterval(20)
            )
            try await store.write([Self.polled(a, at: 30, .up, previous: .down)], run: run, aliveAt: Self.start.addingTimeInterval(30))
            let counts = try await store.counts()
            #expect(counts["result"] == 5 && counts["url"] == 2 && counts["incident"] == 2 && counts["coverage"] == 2 && counts["status"] == 3)

            let restored = try await store.restore([a, b, "http://never.test/"])
            #expect(restored.count == 2)
            #expect(restored[a]?.health == .up && restored[a]?.checkedAt == Self.start.addingTimeInterval(30))
            #expect(restored[b]?.health == .down && restored[b]?.consecutiveFailures == 1 && restored[b]?.status == "503 Service Unavailable")

            let incidents = try await store.incidents(url: nil, since: Self.start, limit: nil)
            #expect(incidents.map(\.url.configured) == [a, b])  // newest first: a went down at 10 s, b at 0 s
            #expect(incidents[0].upAt == Self.start.addingTimeInterval(30) && incidents[0].firstStatus == "503 Service Unavailable")
            #expect(incidents[1].upAt == nil)
            #expect(try await store.incidents(url: a, since: Self.start, limit: 1).count == 1)

            let timelines = try await store.timelines(since: Self.start, now: Self.start.addingTimeInterval(40), run: run)
            #expect(timelines[a]?.coverage == [.init(Self.start, Self.start.addingTimeInterval(40))])
            #expect(timelines[a]?.down == [.init(Self.start.addingTimeInterval(10), Self.start.addingTimeInterval(30))])
            #expect(timelines[b]?.down == [.init(Self.start, Self.start.addingTimeInterval(40))])

            let results = try await store.results(url: a, since: Self.start)
            #expect(results.map(\.health) == [.up, .down, .down, .up])
            #expect(results[2].status == "timed out after 10s" && results[2].latency == .milliseconds(20))
            try await store.shutDown()
        }
    }

    /// A start restores every URL in one pass, a reload a few by lookups: both give the same states.
    @Test(arguments: StoreKind.available)
    func restoringManyURLsOrAFewGivesTheSameStates(kind: StoreKind) async throws {
        try await kind.withPlace { place in
            let store = try await place.open()
            let run = try await store.beginRun(at: Self.start)
            let urls = (0..<1_500).map { "http://h.test/\($0)" }
            let events = urls.enumerated().map { index, url in
                Self.polled(url, at: Double(index), index % 3 == 0 ? .down : .up, previous: .pending, first: true, failures: index % 3 == 0 ? 2 : 0)
            }
            try await store.write(events, run: run, aliveAt: Self.start)
            let all = try await store.restore(urls + ["http://never.test/"])
            let few = try await store.restore([urls[0], urls[1], urls[1_499], "http://never.test/"])
            #expect(all.count == 1_500 && few.count == 3)
            for url in few.keys { #expect(few[url] == all[url]) }
            #expect(few[urls[0]]?.health == .down && few[urls[0]]?.consecutiveFailures == 2 && few[urls[1]]?.health == .up)
            #expect(all[urls[1_499]]?.checkedAt == Self.start.addingTimeInterval(1_499))
            try await store.shutDown()
        }
    }

    @Test(arguments: StoreKind.available)
    func resultsInTheSameMillisecondAreAllKept(kind: StoreKind) async throws {
        try await kind.withPlace { place in
            let store = try await place.open()
            let run = try await store.beginRun(at: Self.start)
            let events = (0..<3).map { _ in Self.polled("http://fast.test/", at: 0, .up, previous: .up) }
            try await store.write(events, run: run, aliveAt: Self.start)
            try await store.write(events, run: run, aliveAt: Self.start)
            let times = try await store.results(url: "http://fast.test/", since: Self.start).map(\.checkedAt)
            #expect(times.count == 6 && Set(times).count == 6)
            try await store.shutDown()
        }
    }

    /// A run that died (never ended) counts as known until its last write; time until the next run is unknown.
    @Test(arguments: StoreKind.available)
    func aRunThatDiedEndsAtItsLastWrite(kind: StoreKind) async throws {
        try await kind.withPlace { place in
            let first = try await place.open()
            let dead = try await first.beginRun(at: Self.start)
            try await first.write(
                [Self.polled("http://a.test/", at: 0, .up, previous: .pending, first: true)],
                run: dead,
                aliveAt: Self.start.addingTimeInterval(100)
            )
            try await first.shutDown()  // no endRun: as after kill -9

            let second = try await place.open()
            let run = try await second.beginRun(at: Self.start.addingTimeInterval(1000))
            try await second.write(
                [Self.polled("http://a.test/", at: 1000, .up, previous: .up, first: true)],
                run: run,
                aliveAt: Self.start.addingTimeInterval(1000)
            )
            let now = Self.start.addingTimeInterval(1100)
            let timeline = try #require(try await second.timelines(since: Self.start, now: now, run: run)["http://a.test/"])
            #expect(
                timeline.coverage == [
                    .init(Self.start, Self.start.addingTimeInterval(100)), .init(Self.start.addingTimeInterval(1000), now),
                ]
            )
            #expect(UptimeArithmetic.time(coverage: timeline.coverage, down: timeline.down, within: .init(Self.start, now)).known == 200)
            try await second.endRun(run, at: now)
            let ended = try await second.timelines(since: Self.start, now: now.addingTimeInterval(500), run: run + 1)
            #expect(ended["http://a.test/"]?.coverage.last == .init(Self.start.addingTimeInterval(1000), now))
            try await second.shutDown()
        }
    }

    /// Rollup makes hourly aggregates of finished hours; retention removes old results (only rolled-up
    /// ones), results over the per-URL cap, and old aggregates.
    @Test(arguments: StoreKind.available)
    func rollupAndRetention(kind: StoreKind) async throws {
        try await kind.withPlace { place in
            let store = try await place.open()
            let hour = RetentionPolicy.hourStart(Self.start)
            let run = try await store.beginRun(at: hour)
            // 30 results a hour for 5 hours, one of each hour down.
            var events: [HistoryEvent] = []
            for index in 0..<150 {
                let seconds = hour.timeIntervalSince(Self.start) + Double(index) * 120
                events.append(
                    Self.polled("http://a.test/", at: seconds, index % 30 == 7 ? .down : .up, previous: .up, latency: .milliseconds(index % 30 + 1))
                )
            }
            try await store.write(events, run: run, aliveAt: hour.addingTimeInterval(18_000))
            let now = hour.addingTimeInterval(5 * 3600 + 60)
            let policy = RetentionPolicy(resultAge: .seconds(3 * 3600), resultsPerURL: 40, aggregateAge: .seconds(4 * 3600))
            var steps = 0
            while try await store.maintain(now: now, policy: policy) { steps += 1 }
            #expect(steps >= 5)  // one rollup step per finished hour at least

            let aggregates = try await store.hourly(url: "http://a.test/", since: hour)
            // Hours 0 and 1 start more than the aggregates' 4 hours ago: removed. Hours 2-4 remain, each 30 polls, 1 down.
            #expect(aggregates.map(\.hour) == (2...4).map { hour.addingTimeInterval(Double($0) * 3600) })
            #expect(
                aggregates.allSatisfy {
                    $0.polls == 30 && $0.failures == 1 && $0.latencyMin == .milliseconds(1) && $0.latencyMax == .milliseconds(30)
                }
            )
            #expect(aggregates[0].latencyP95 == .milliseconds(29) && aggregates[0].latencySum == .milliseconds(465))

            // Results: none older than 3 hours; of the rest, at most 40 among the rolled-up hours (all 5 are).
            let results = try await store.results(url: "http://a.test/", since: hour)
            #expect(results.count == 40)
            #expect(results.allSatisfy { $0.checkedAt >= now.addingTimeInterval(-3 * 3600) })
            #expect(results.last?.checkedAt == hour.addingTimeInterval(149 * 120))
            try await store.shutDown()
        }
    }
}

/// Several results of a URL in one row: the packing alone, and the store's rows.
struct PackedResultsTests {
    typealias Entry = PackedResults.Entry

    @Test func entriesComeBackAsTheyWent() throws {
        let first = Entry(time: 1_800_000_000_000, outcome: 801, latency: 950, status: 1)
        let rest = [
            Entry(time: 1_800_000_000_001, outcome: 2012, latency: 0, status: 7),
            Entry(time: 1_800_000_003_600, outcome: 0, latency: 10_000_000_000, status: 300),
            Entry(time: 1_800_003_599_999, outcome: 3999, latency: 127, status: 128),
        ]
        let more = PackedResults.pack(rest, after: first)
        #expect(more.count < rest.count * 12)
        #expect(try PackedResults.unpack(first: first, more: more) == [first] + rest)
        #expect(try PackedResults.unpack(first: first, more: nil) == [first])
    }

    @Test(arguments: [[0x80], [0x01, 0x02, 0x03], Array(repeating: 0xFF, count: 11) + [0x01]])
    func aDamagedRowIsAnErrorNotAGuess(more: [UInt8]) {
        let first = Entry(time: 1, outcome: 1, latency: 1, status: 1)
        #expect(throws: StoreError.self) { try PackedResults.unpack(first: first, more: more) }
    }

    /// One batch with 1,000 results of one URL: one row per hour, every result back in order.
    @Test func aBatchOfOneURLIsOneRowPerHour() async throws {
        let directory = try TemporaryDirectory()
        let store = try await SQLiteHistoryStore.open(path: directory.file("history.sqlite"))
        let run = try await store.beginRun(at: HistoryStoreTests.start)
        let hour = RetentionPolicy.hourStart(HistoryStoreTests.start).timeIntervalSince(HistoryStoreTests.start)
        let events = (0..<1_000).map { index in
            HistoryStoreTests.polled("http://a.test/", at: hour + Double(index) * 5, index % 9 == 0 ? .down : .up, previous: .up)
        }
        try await store.write(events, run: run, aliveAt: HistoryStoreTests.start)
        let counts = try await store.counts()
        #expect(counts["result"] == 1_000 && counts["result rows"] == 2)  // 5,000 s: two hours
        let results = try await store.results(url: "http://a.test/", since: HistoryStoreTests.start.addingTimeInterval(hour + 2_000))
        #expect(results.count == 600)
        #expect(results.first?.checkedAt == HistoryStoreTests.start.addingTimeInterval(hour + 2_000))
        #expect(results.map(\.health) == (400..<1_000).map { $0 % 9 == 0 ? .down : .up })
        #expect(results.filter { $0.health == .down }.allSatisfy { $0.status == "503 Service Unavailable" })
        try await store.close()
    }
}
