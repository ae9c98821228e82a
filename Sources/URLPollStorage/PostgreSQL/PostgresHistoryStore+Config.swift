import Foundation
import PostgresNIO
import URLPollCore

/// The configuration several instances share: `urlpoll sync-config` writes a version, every instance
/// on the database runs the newest.
extension PostgresHistoryStore {
    /// One stored version of the shared configuration.
    package struct SharedConfig: Sendable, Equatable {
        package let version: Int64
        /// The config file's text as written (`${ENV}` references unexpanded: each instance expands them).
        package let text: String
        /// Where it was written from (the file's path).
        package let source: String
    }

    /// The newest version if it is newer than `seen` (any version when `nil`); `nil` when there is none,
    /// so that instances checking every status interval read a version's text once, not every time.
    package func latestConfig(after seen: Int64? = nil) async throws -> SharedConfig? {
        try await described {
            let rows = try await client.query(
                "SELECT version, text, source FROM urlpoll.config WHERE version > \(seen ?? 0) ORDER BY version DESC LIMIT 1",
                logger: logger
            )
            for try await (version, text, source) in rows.decode((Int64, String, String).self) {
                return SharedConfig(version: version, text: text, source: source)
            }
            return nil
        }
    }

    /// Stores `text` as the next version, unless it equals the newest one.
    ///
    /// - Returns: the version that now runs, and whether it is new.
    package func writeConfig(_ text: String, source: String, at time: Date) async throws -> (version: Int64, isNew: Bool) {
        try await described {
            try await client.withTransaction(logger: logger) { [logger] connection in
                // One writer at a time, so that two sync-configs at once cannot both skip or both add.
                try await connection.query("LOCK TABLE urlpoll.config IN EXCLUSIVE MODE", logger: logger).drain()
                let latest = try await connection.query(
                    "SELECT version, text FROM urlpoll.config ORDER BY version DESC LIMIT 1",
                    logger: logger
                )
                for try await (version, current) in latest.decode((Int64, String).self) where current == text {
                    return (version, false)
                }
                let inserted = try await connection.query(
                    """
                    INSERT INTO urlpoll.config (text, source, written_at)
                    VALUES (\(text), \(source), \(ResultEncoding.milliseconds(time))) RETURNING version
                    """,
                    logger: logger
                )
                for try await version in inserted.decode(Int64.self) { return (version, true) }
                throw StoreError("the database returned no config version")
            }
        }
    }
}
