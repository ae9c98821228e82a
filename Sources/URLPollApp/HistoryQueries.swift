import Foundation
import URLPollCore
import URLPollStorage

/// `urlpoll history` and `urlpoll incidents`: read the history database (never write it) and render.
public enum HistoryQueries {
    /// One URL's stored results and outages since `since`.
    ///
    /// - Throws: ``URLPollApplication/Failure`` when the database cannot be read.
    public static func history(url: String, since: Date, database path: String, format: HistoryListing.Format, now: Date = Date()) async throws
        -> String
    {
        let store = try open(path)
        do {
            let results = try await store.results(url: url, since: since)
            let incidents = try await store.incidents(url: url, since: since, limit: nil)
            return HistoryListing.history(url: url, since: since, results: results, incidents: incidents, now: now, format: format)
        } catch {
            throw URLPollApplication.Failure(message: "\(path): cannot read the history database (\(error))")
        }
    }

    /// Outages of every URL since `since`.
    public static func incidents(since: Date, database path: String, format: HistoryListing.Format, now: Date = Date()) async throws -> String {
        let store = try open(path)
        do {
            return HistoryListing.incidents(try await store.incidents(url: nil, since: since, limit: nil), now: now, format: format)
        } catch {
            throw URLPollApplication.Failure(message: "\(path): cannot read the history database (\(error))")
        }
    }

    private static func open(_ path: String) throws -> SQLiteHistoryStore {
        do {
            return try SQLiteHistoryStore.openForReading(path: path)
        } catch {
            throw URLPollApplication.Failure(message: error.message)
        }
    }
}
