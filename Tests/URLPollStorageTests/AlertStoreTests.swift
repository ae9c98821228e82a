import Foundation
import GRDB
import Testing

@testable import URLPollCore
@testable import URLPollStorage
@testable import URLPollTestSupport

/// Alert state in the history database: the first real schema migration (v1 → v2) keeps every stored
/// result, and announcements and the outbox survive a reopen. The memory store behaves the same.
@Suite(.timeLimit(.minutes(1)))
struct AlertStoreTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func event(_ kind: AlertEvent.Kind, url: String = "https://a.example/") -> AlertEvent {
        AlertEvent(
            kind: kind,
            receiver: "ops",
            url: TargetURL(url),
            name: nil,
            status: "503",
            code: 503,
            since: start,
            failures: 3,
            decidedAt: start + 5
        )
    }

    @Test func aVersionOneDatabaseIsMigratedWithItsHistoryKept() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.file("v1.sqlite")
        // A database as urlpoll 0.2 (schema v1) left it: a result written, then the v2 tables taken away.
        do {
            let old = try await SQLiteHistoryStore.open(path: path)
            _ = try await old.write(
                [HistoryStoreTests.polled("https://a.example/", at: 1, .down, previous: .pending, first: true, failures: 1)],
                run: old.beginRun(at: Self.start),
                aliveAt: Self.start + 1
            )
            try await old.close()
        }
        let reopened = try DatabaseQueue(path: path)
        try await reopened.write { db in
            try db.execute(sql: "DROP TABLE alert_announcement; DROP TABLE alert_outbox; DELETE FROM grdb_migrations WHERE identifier = 'v2'")
        }
        let applied = try await reopened.read { db in try HistorySchema.migrator.appliedIdentifiers(db) }
        #expect(applied == ["v1"])
        try reopened.close()

        let store = try await SQLiteHistoryStore.open(path: path)
        #expect(try await store.results(url: "https://a.example/", since: .distantPast).count == 1, "the v1 results are kept")
        #expect(try await store.loadAlerts() == AlertLedger())
        try await store.close()
    }

    @Test(arguments: StoreKind.available)
    func announcementsAndTheOutboxSurviveAReopen(kind: StoreKind) async throws {
        try await kind.withPlace { place in
            let announcement = AlertTracker.Announcement(url: "https://a.example/", receiver: "ops", since: Self.start, lastSent: Self.start + 5)
            var changes = AlertTracker.Changes()
            changes.announced = [announcement]
            let pending = [PendingDelivery(id: 1, event: Self.event(.down)), PendingDelivery(id: 2, event: Self.event(.reminder))]
            do {
                let store = try await place.open()
                try await store.save(changes, queued: pending)
                try await store.finish([2])
                try await store.shutDown()
            }
            let store = try await place.open()
            let ledger = try await store.loadAlerts()
            #expect(ledger.announcements == [announcement])
            #expect(ledger.pending == [pending[0]])
            var ended = AlertTracker.Changes()
            ended.ended = [.init(url: announcement.url, receiver: "ops")]
            try await store.save(ended, queued: [])
            #expect(try await store.loadAlerts().announcements.isEmpty)
            try await store.shutDown()

            let memory = MemoryAlertStore()
            await memory.save(changes, queued: pending)
            await memory.finish([2])
            #expect(await memory.loadAlerts() == ledger)
        }
    }
}
