import Foundation
import Logging
import ServiceLifecycle
import URLPollCore
import URLPollStorage

/// A micro-benchmark of the history path alone (`urlpoll bench-store`, hidden): results recorded by the
/// ``StateMonitor`` as fast as a task can record them, written by the ``HistoryWriter`` into a new
/// SQLite file, no polling. Reports results per second through the whole path, and the bytes per
/// result on disk (file size, and per table from SQLite's `dbstat`).
package enum StoreBenchmark {
    package struct Figures: Sendable {
        package let results: Int
        package let seconds: Double
        package let fileBytes: Int
        package let tableBytes: [String: Int]

        package var json: String {
            let tables = tableBytes.keys.sorted().map { "\"\($0)\":\(tableBytes[$0]!)" }.joined(separator: ",")
            let perSecond = Int(Double(results) / seconds)
            let perResult = Double(fileBytes) / Double(results)
            return "{\"results\":\(results),\"seconds\":\(String(format: "%.3f", seconds)),\"results_per_s\":\(perSecond),"
                + "\"file_bytes\":\(fileBytes),\"bytes_per_result\":\(String(format: "%.1f", perResult)),\"table_bytes\":{\(tables)}}\n"
        }
    }

    /// Writes the same results straight into the store in batches of ``HistoryWriter/largeBatch``
    /// (no monitor, no writer): the store's own speed.
    package static func runDirect(results: Int, urls: [String], spacing: Double = 1, path: String) async throws -> Figures {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try await SQLiteHistoryStore.open(path: path)
        let run = try await store.beginRun(at: Date())
        let rounds = (results + urls.count - 1) / urls.count
        let base = Date().addingTimeInterval(-Double(rounds) * spacing)
        let targets = urls.map { TargetURL($0) }
        let start = ContinuousClock.now
        var batch: [HistoryEvent] = []
        batch.reserveCapacity(HistoryWriter.largeBatch)
        for index in 0..<results {
            let down = index % 50 == 7
            batch.append(
                .polled(
                    PollRecord(
                        url: targets[index % targets.count],
                        checkedAt: base.addingTimeInterval(Double(index / urls.count) * spacing),
                        health: down ? .down : .up,
                        previous: .up,
                        isFirstInRun: index < urls.count,
                        code: down ? 503 : 200,
                        latency: .microseconds(800 + Int64(index % 997) * 37),
                        status: down ? "503 Service Unavailable" : "200 OK",
                        method: .head,
                        consecutiveFailures: down ? 1 : 0,
                        since: base
                    )
                )
            )
            if batch.count == HistoryWriter.largeBatch || index == results - 1 {
                try await store.write(batch, run: run, aliveAt: Date())
                batch.removeAll(keepingCapacity: true)
            }
        }
        let seconds = (ContinuousClock.now - start).seconds
        let tables = try await store.tableBytes()
        try await store.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return Figures(results: results, seconds: seconds, fileBytes: size, tableBytes: tables)
    }

    /// Records `results` results of `urls` (round robin, `spacing` seconds apart per URL and ending now,
    /// one in 50 down) and waits until all are written to a new database at `path`.
    package static func run(results: Int, urls: [String], spacing: Double = 1, path: String) async throws -> Figures {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try await SQLiteHistoryStore.open(path: path)
        let targets = TargetList(urls.enumerated().map { URLListEntry(url: $0.element, origin: .argument(position: $0.offset + 1)) })
        let monitor = StateMonitor(targets: targets, historyCapacity: 100_000)
        let run = try await store.beginRun(at: Date())
        let logger = Logger(label: "bench-store")
        let writer = HistoryWriter(store: store, monitor: monitor, board: UptimeBoard(), policy: RetentionPolicy(), run: run, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [.init(service: writer, serviceName: "history")], logger: logger))
        let start = ContinuousClock.now
        let rounds = (results + urls.count - 1) / urls.count
        let base = Date().addingTimeInterval(-Double(rounds) * spacing)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            for index in 0..<results {
                let id = index % urls.count
                let down = index % 50 == 7
                await monitor.record(
                    State(
                        resourceID: id,
                        health: down ? .down : .up,
                        status: down ? "503 Service Unavailable" : "200 OK",
                        code: down ? 503 : 200,
                        latency: .microseconds(800 + Int64(index % 997) * 37),
                        checkedAt: base.addingTimeInterval(Double(index / urls.count) * spacing),
                        consecutiveFailures: down ? 1 : 0
                    )
                )
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        let seconds = (ContinuousClock.now - start).seconds
        let tables = try await store.tableBytes()
        try await store.close()
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        return Figures(results: results, seconds: seconds, fileBytes: size, tableBytes: tables)
    }
}
