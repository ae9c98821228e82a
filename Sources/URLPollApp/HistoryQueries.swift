import Foundation
import URLPollCore
import URLPollStorage

/// `urlpoll history` and `urlpoll incidents`: read the history database (never write it) and render.
package enum HistoryQueries {
    /// One URL's stored results and outages since `since`; URLs are shown with `redaction`'s rules.
    ///
    /// - Throws: ``URLPollApplication/Failure`` when the database cannot be read.
    package static func history(
        url: String,
        since: Date,
        database path: String,
        format: HistoryListing.Format,
        redaction: URLRedaction = .standard,
        now: Date = Date()
    ) async throws -> String {
        let target = TargetURL(url, redaction: redaction)
        return try await reading(path) { store in
            let results = try await store.results(url: url, since: since)
            let incidents = try await store.incidents(url: url, since: since, limit: nil).map { $0.shown(with: [url: target]) }
            return HistoryListing.history(url: target, since: since, results: results, incidents: incidents, now: now, format: format)
        }
    }

    /// Outages of every URL since `since`; URLs are shown with `redaction`'s rules.
    package static func incidents(
        since: Date,
        database path: String,
        format: HistoryListing.Format,
        redaction: URLRedaction = .standard,
        now: Date = Date()
    ) async throws -> String {
        try await reading(path) { store in
            let incidents = try await store.incidents(url: nil, since: since, limit: nil).map { incident in
                incident.shown(with: [incident.url.configured: TargetURL(incident.url.configured, redaction: redaction)])
            }
            return HistoryListing.incidents(incidents, now: now, format: format)
        }
    }

    /// Runs `body` with the store at `database` (a SQLite path or a `postgres://` URL) opened for
    /// reading, and closes it.
    private static func reading(_ database: String, _ body: (any HistoryStore) async throws -> String) async throws -> String {
        let store: any HistoryStore
        let close: () async -> Void
        let name: String
        do {
            switch try Settings.Database(parsing: database) {
            case .none:
                throw InputError("none keeps no history to read (name a SQLite file or a postgres:// URL)")
            case .sqlite(let path):
                let sqlite = try SQLiteHistoryStore.openForReading(path: path)
                (store, close, name) = (sqlite, {}, path)
            case .postgres(let location):
                let postgres = try await PostgresHistoryStore.open(location, readOnly: true)
                (store, close, name) = (postgres, { await postgres.close() }, location.description)
            }
        } catch let error as InputError {
            throw URLPollApplication.Failure(message: "--database: \(error.message)")
        } catch {
            throw URLPollApplication.Failure(message: StoreError.describe(error))
        }
        do {
            let text = try await body(store)
            await close()
            return text
        } catch {
            await close()
            throw URLPollApplication.Failure(message: "\(name): cannot read the history database (\(StoreError.describe(error)))")
        }
    }
}
