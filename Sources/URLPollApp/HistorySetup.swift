import Foundation
import Logging
import URLPollCore
import URLPollStorage

/// The history of a run, opened before the engine starts: the store, this run's id, what the store
/// remembers of the URLs (by the engine's ids), and the board reports read uptime from.
struct HistorySetup: Sendable {
    let store: SQLiteHistoryStore
    let run: Int64
    let restored: [Int: RestoredState]
    let board: UptimeBoard

    /// The most history events the monitor holds for the writer before polls wait: about ten seconds of
    /// results at 10,000 polls a second.
    static let outboxCapacity = 100_000

    /// Opens the history `database` asks for and restores what it knows of `targets`; `nil` for `none`.
    ///
    /// - Throws: ``URLPollApplication/Failure`` naming the path when the database cannot be used.
    static func open(_ database: Settings.Database, targets: TargetList) async throws -> HistorySetup? {
        guard case .sqlite(let path) = database else { return nil }
        let store: SQLiteHistoryStore
        do {
            store = try SQLiteHistoryStore.open(path: path)
        } catch {
            throw URLPollApplication.Failure(message: error.message)
        }
        do {
            let byURL = try await store.restore(targets.urls)
            var restored: [Int: RestoredState] = [:]
            restored.reserveCapacity(byURL.count)
            for (id, url) in targets.urls.enumerated() {
                if let state = byURL[url] { restored[id] = state }
            }
            let run = try await store.beginRun(at: Date())
            return HistorySetup(store: store, run: run, restored: restored, board: UptimeBoard())
        } catch {
            throw URLPollApplication.Failure(message: "\(path): cannot read the history database (\(error))")
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
