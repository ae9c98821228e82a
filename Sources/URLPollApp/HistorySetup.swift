import Foundation
import Logging
import URLPollCore
import URLPollStorage

/// The history of a run, opened before the engine starts: the store (SQLite or PostgreSQL), this run's
/// id, what the store remembers of the URLs (by the engine's ids), and the board reports read uptime from.
struct HistorySetup: Sendable {
    let store: any HistoryStore & AlertStore
    /// The database as messages name it (a path, or a URL without its password).
    let name: String
    /// Closes the store (checkpoints a SQLite file; ends a PostgreSQL pool).
    let close: @Sendable () async throws -> Void
    let run: Int64
    /// Other instances writing to the same database when this run began (PostgreSQL only).
    let otherWriters: Int
    let restored: [Int: RestoredState]
    let board: UptimeBoard
    /// The schedule this run shares with the other instances on the database (PostgreSQL only).
    var sharedSchedule: (any SharedSchedule)? {
        (store as? PostgresHistoryStore).map { PostgresSharedSchedule(store: $0, run: run) }
    }

    /// The most history events the monitor holds for the writer before polls wait: about ten seconds of
    /// results at 10,000 polls a second.
    static let outboxCapacity = 100_000

    /// Opens the history `database` asks for and restores what it knows of `targets`; `nil` for `none`.
    ///
    /// - Throws: ``URLPollApplication/Failure`` naming the database when it cannot be used.
    /// - Parameters:
    ///   - instance: this instance's name and location, recorded with its run in a shared database.
    static func open(_ database: Settings.Database, targets: TargetList, instance: (name: String, location: String)) async throws
        -> HistorySetup?
    {
        let store: any HistoryStore & AlertStore
        let close: @Sendable () async throws -> Void
        do {
            switch database {
            case .none:
                return nil
            case .sqlite(let path):
                let sqlite = try await SQLiteHistoryStore.open(path: path)
                (store, close) = (sqlite, { try await sqlite.close() })
            case .postgres(let location):
                let postgres = try await PostgresHistoryStore.open(location)
                (store, close) = (postgres, { await postgres.close() })
            }
        } catch {
            throw URLPollApplication.Failure(message: error.message)
        }
        let name = database.description
        do {
            let byURL = try await store.restore(targets.urls.map(\.configured))
            var restored: [Int: RestoredState] = [:]
            restored.reserveCapacity(byURL.count)
            for (id, url) in targets.urls.enumerated() {
                if let state = byURL[url.configured] { restored[id] = state }
            }
            let run = try await store.beginRun(at: Date())
            try await (store as? PostgresHistoryStore)?.identify(run: run, instance: instance.name, location: instance.location)
            let otherWriters = try await (store as? PostgresHistoryStore)?.instances(now: Date()).filter { $0.run != run }.count ?? 0
            return HistorySetup(
                store: store,
                name: name,
                close: close,
                run: run,
                otherWriters: otherWriters,
                restored: restored,
                board: UptimeBoard()
            )
        } catch {
            try? await close()
            throw URLPollApplication.Failure(message: "\(name): cannot read the history database (\(StoreError.describe(error)))")
        }
    }

    /// What a reload asks the store about URLs it adds; a store that cannot answer is logged, and the
    /// URLs start as new ones.
    func rememberedStates(logger: Logger) -> @Sendable ([String]) async -> [String: RestoredState] {
        { [store] urls in
            do {
                return try await store.restore(urls)
            } catch {
                logger.warning("reload: cannot read what the history knows of the added URLs (\(error)); they start as new")
                return [:]
            }
        }
    }
}
