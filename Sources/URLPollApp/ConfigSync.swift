import Foundation
import URLPollConfig
import URLPollCore
import URLPollStorage

/// `urlpoll sync-config`: writes a config file into the PostgreSQL database that several instances
/// share, as the next version of their configuration.
package enum ConfigSync {
    /// Checks the config file at `path` as a run would load it, then stores its text as the next
    /// version (unless it equals the newest). `database` defaults to the file's own `database:`.
    ///
    /// - Returns: one line saying which version now runs.
    /// - Throws: ``URLPollApplication/Failure`` for a config file with a mistake (file, line and column
    ///   named), a database that is not PostgreSQL, or one that cannot be used.
    package static func write(configPath path: String, database: String?) async throws -> String {
        let text: String
        let loaded: RunConfiguration
        do {
            // Read once: the text checked is the text stored.
            text = try TextFile.read(path, kind: "config file")
            let sources = RunConfiguration.Sources(arguments: [], file: nil, config: path, flags: .init())
            loaded = try RunConfiguration.load(sources, shared: (text, path))
        } catch {
            throw URLPollApplication.Failure(message: error.message)
        }
        let target: Settings.Database
        if let database {
            do {
                target = try Settings.Database(parsing: database)
            } catch {
                throw URLPollApplication.Failure(message: "--database: \(error.message)")
            }
        } else {
            target = loaded.settings.database
        }
        guard case .postgres(let location) = target else {
            throw URLPollApplication.Failure(
                message: "sync-config needs a PostgreSQL database (--database postgres://…, or database: in \(path)); \(target) is not one"
            )
        }
        let store: PostgresHistoryStore
        do {
            store = try await PostgresHistoryStore.open(location)
        } catch {
            throw URLPollApplication.Failure(message: error.message)
        }
        do {
            let (version, isNew) = try await store.writeConfig(text, source: path, at: Date())
            await store.close()
            let urls = loaded.targets.count
            return isNew
                ? "\(location): configuration version \(version) written from \(path) (\(urls) URLs); running instances follow it within their status interval"
                : "\(location): \(path) is unchanged from version \(version); nothing written"
        } catch {
            await store.close()
            throw URLPollApplication.Failure(message: StoreError.describe(error))
        }
    }
}
