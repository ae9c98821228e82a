import Foundation
import GRDB
import NIOPosix
import URLPollCore

/// The history in an embedded SQLite database, through GRDB: one file, no setup.
///
/// A `DatabasePool` in WAL mode: one writer (the ``HistoryWriter``'s batches, and rollup and retention in
/// small steps between them), readers alongside that never wait for it, and a busy timeout so that
/// nothing fails with "database is locked". `synchronous = NORMAL`: a committed batch survives the process
/// being killed (not a power cut, which can lose the last commits). The schema is ``HistorySchema``.
///
/// An actor: it keeps the ids of URLs and status texts it has seen, and each URL's last result time (a
/// result time is unique per URL, so two results in one millisecond are a millisecond apart).
package actor SQLiteHistoryStore: HistoryStore {
    let pool: DatabasePool
    package nonisolated let path: String
    var urlIDs: [String: Int64] = [:]
    var statusIDs: [String: Int64] = [:]
    var lastTimes: [Int64: Int64] = [:]
    /// When the last retention round ended (they run at most every ten minutes).
    var lastPruneRound: Date?

    /// The writer's page cache, in KiB: room for the pages it touches (each URL's latest results), so a
    /// batch rewrites them from memory.
    static let cacheKiB = 32 * 1024
    /// Each reader's page cache, in KiB (SQLite's default): readers scan, and up to five of them may be
    /// open at once.
    static let readerCacheKiB = 2 * 1024
    /// WAL pages between checkpoints (each checkpoint copies the WAL into the file and syncs it): 40 MiB,
    /// so that a checkpoint follows many batches, not every one.
    static let checkpointPages = 10_000

    private init(pool: DatabasePool, path: String) {
        self.pool = pool
        self.path = path
    }

    /// Opens (or creates) the database at `path` and brings its schema up to date.
    ///
    /// - Throws: ``StoreError`` naming the path: a missing or unwritable directory, a file that is not a
    ///   SQLite database, or one written by a newer urlpoll (refused before anything is changed).
    package static func open(path: String) throws(StoreError) -> SQLiteHistoryStore {
        try checkLocation(path)
        if FileManager.default.fileExists(atPath: path) {
            try checkSchema(path)
        }
        do {
            var configuration = Configuration()
            configuration.busyMode = .timeout(10)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                try db.execute(sql: "PRAGMA cache_size = -\(db.configuration.readonly ? readerCacheKiB : cacheKiB)")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = \(checkpointPages)")
            }
            let pool = try DatabasePool(path: path, configuration: configuration)
            try HistorySchema.migrator.migrate(pool)
            return SQLiteHistoryStore(pool: pool, path: path)
        } catch {
            throw StoreError("\(path): cannot open the history database (\(describe(error)))")
        }
    }

    /// As ``open(path:)``, on a thread of SwiftNIO's blocking pool instead of the caller's.
    ///
    /// Opening sets the WAL up and migrates, and every commit waits for the disk (`fdatasync`): on a busy
    /// disk that takes long enough to stall every task that shares the caller's thread, and Swift's pool
    /// has one thread per core.
    /// - Throws: as ``open(path:)``.
    package static func open(path: String) async throws(StoreError) -> SQLiteHistoryStore {
        do {
            return try await NIOThreadPool.singleton.runIfActive { try open(path: path) }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("\(path): cannot open the history database (\(error))")
        }
    }

    /// Opens an existing database at `path` for reading only (`urlpoll history`, `urlpoll incidents`):
    /// nothing is created, migrated or written.
    ///
    /// - Throws: ``StoreError`` naming the path: no such file, not a SQLite database, or a newer schema.
    package static func openForReading(path: String) throws(StoreError) -> SQLiteHistoryStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError("\(path): no history database here (urlpoll writes one while it runs; see --database)")
        }
        try checkSchema(path)
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(10)
            return SQLiteHistoryStore(pool: try DatabasePool(path: path, configuration: configuration), path: path)
        } catch {
            throw StoreError("\(path): cannot read the history database (\(describe(error)))")
        }
    }

    /// A message for a path that cannot hold a database: its directory is missing or not writable.
    private static func checkLocation(_ path: String) throws(StoreError) {
        let directory = (path as NSString).deletingLastPathComponent
        let folder = directory.isEmpty ? "." : directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw StoreError("\(path): cannot create the history database (no such directory \(folder))")
        }
        if FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.isWritableFile(atPath: path) else {
                throw StoreError("\(path): cannot write the history database (permission denied)")
            }
        }
        guard FileManager.default.isWritableFile(atPath: folder) else {
            throw StoreError("\(path): cannot write the history database (permission denied on \(folder))")
        }
    }

    /// Refuses a database that a newer urlpoll wrote (it knows migrations this one does not), or that is
    /// not a SQLite file, reading it without changing it.
    private static func checkSchema(_ path: String) throws(StoreError) {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            let superseded = try queue.read { db in try HistorySchema.migrator.hasBeenSuperseded(db) }
            try queue.close()
            if superseded {
                throw StoreError(
                    "\(path): the history database was written by a newer urlpoll (its schema is newer than this version knows); "
                        + "upgrade urlpoll, or point --database elsewhere"
                )
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError("\(path): cannot read the history database (\(describe(error)))")
        }
    }

    /// A short description of a GRDB or SQLite error.
    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "SQLite error \(error.resultCode.rawValue)"
        }
        return "\(error)"
    }

    // MARK: Runs

    package func beginRun(at time: Date) async throws -> Int64 {
        let now = ResultEncoding.milliseconds(time)
        return try await pool.write { db in
            try db.execute(sql: "INSERT INTO run (started_at, alive_at) VALUES (?, ?)", arguments: [now, now])
            return db.lastInsertedRowID
        }
    }

    package func endRun(_ run: Int64, at time: Date) async throws {
        let now = ResultEncoding.milliseconds(time)
        try await pool.write { db in
            try db.execute(sql: "UPDATE run SET alive_at = max(alive_at, ?), stopped_at = ? WHERE id = ?", arguments: [now, now, run])
            try db.execute(sql: "UPDATE coverage SET to_t = ? WHERE run_id = ? AND to_t IS NULL", arguments: [now, run])
        }
    }

    /// Checkpoints the WAL into the database file (on the database's own queue: it waits for the disk) and
    /// closes it.
    package func close() async throws {
        try await pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try pool.close()
    }
}
